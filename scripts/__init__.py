"""The emailuser Pywikibot script and the modules it uses.

Installed as the package ``emailuser_scripts``; Pywikibot's ``pwb`` finds the
script through the ``pywikibot``/``scriptspath`` entry point, which names
:data:`base_dir`.
"""

from pathlib import Path

#: The folder that holds ``emailuser.py``, for pwb's script lookup.
base_dir = Path(__file__).parent
