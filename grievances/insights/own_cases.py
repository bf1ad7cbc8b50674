"""Before a signed-in person lodges: is it the same matter as one of their own open cases?

Computed in the request, on the person's own few open cases only (never
anyone else's, never through the stored vectors of other cases): a dozen
texts vectorised at once, 17 ms for 12 cases of 300 characters on a shared
2-core machine. The lodging form asks; the person decides.
"""

from __future__ import annotations

import numpy as np

from grievances.insights import vectors
from grievances.insights.models import Refresh
from grievances.insights.selectors import NUMBERS_WEIGHT
from grievances.models import Grievance
from grievances.workflow import OPEN_STATES

# The person's most recent open cases compared (someone with more is a union lodging for many: rare).
OWN_CASES = 12
# Cosine of the comparable vectors (numbers included, as "similar" does) from which the form asks.
# Paraphrases of one problem scored 0.54-0.69 in English and Thai, different problems of one person
# under 0.1 (tests/insights/test_same_open_case.py). A false alarm costs one question, which the
# person answers; a miss costs a second case an officer may later mark as a duplicate.
SAME_MATTER = 0.45


def _space() -> vectors.Space:
    space = Refresh.objects.order_by("-computed_at", "-pk").values_list("space", flat=True).first()
    return vectors.Space.from_dict(space)


def closest_open_case(*, user, text: str, language: str) -> Grievance | None:
    """``user``'s own open case that ``text`` is most likely about, when close enough; else None.

    One query when the person has no open case; two otherwise (their cases, the fitted space).
    """
    own = list(
        Grievance.objects.for_complainant(user)
        .filter(status__in=OPEN_STATES, anonymous=False)
        .select_related("category__parent")
        .order_by("-lodged_at", "-pk")[:OWN_CASES]
    )
    if not own or not text.strip():
        return None
    space = _space()
    raw = vectors.vectorise_many([text, *(case.description for case in own)])
    languages = [language, *((case.lodged_language or case.language or "") for case in own)]
    comparable = space.transform(raw, languages, numbers=NUMBERS_WEIGHT)
    new, theirs = comparable[0], comparable[1:]
    if not new.any():
        return None
    scores = theirs @ new
    best = int(np.argmax(scores))
    return own[best] if scores[best] >= SAME_MATTER else None
