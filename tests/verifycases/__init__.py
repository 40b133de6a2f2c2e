"""Every verifier's loopback cases: the core ones (verifyfakes) and the catalogue's, one module per
group of providers (the groups of scanner/verify/catalogue/). Each module holds ``CASES``, built with
``verifyfakes.Case`` or ``verifyfakes.json_case``."""

from verifycases import ai_data, comms, commerce, devtools
from verifyfakes import CASES as CORE_CASES
from verifyfakes import Case

ALL: list[Case] = CORE_CASES + ai_data.CASES + commerce.CASES + comms.CASES + devtools.CASES
