"""hallterm: the keyboard-driven front desk of a government service hall."""

import warnings

__version__ = "0.1.0"

# pyHanko imports cryptography's DSA key class (hallterm signs with ECDSA P-256 only);
# cryptography's deprecation notice about DSA is for pyHanko's maintainers, not for clerks.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")
