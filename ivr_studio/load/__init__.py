"""Load tests of a phone menu: many simultaneous simulated callers on one machine or a Locust cluster.

``ivr-studio load`` places scenario calls and random callers' calls back to back through the call runtime's
real transport, on Locust (:mod:`.run`), so Locust's statistics, CSV and HTML reports, web UI and
master/worker mode come with it. The modules:

- :mod:`.mix` — the weighted caller mix and the random callers' percentages and menus;
- :mod:`.random_caller` — the caller who explores a menu on their own;
- :mod:`.calls` — placing one call on real or compressed (``fast``) think time;
- :mod:`.observe` — webhook and Look up samples and each call's outcome, read from its trace;
- :mod:`.tally` — the counts Locust does not keep, added up across workers;
- :mod:`.report` — the live progress line and the final report;
- :mod:`.user` and :mod:`.run` — the Locust user and the run (these two import Locust, and the run
  monkey-patches the process with gevent first; everything else here works without either).

Like the runtime, this package never reads the flow model or the exporter: the command line resolves a
flow file or bundle folder into a transport and the menus' branches before the run starts.
"""
