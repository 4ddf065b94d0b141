# The webrtcvad module is installed by the "webrtcvad-wheels" distribution; the stock hook looks for
# metadata under the name "webrtcvad" and fails. The module needs no data files.
from PyInstaller.utils.hooks import copy_metadata

datas = copy_metadata("webrtcvad-wheels")
