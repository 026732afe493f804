"""How the officer's queue reads its search from a request, and writes it into the links
of its pages (decision 121).

The search form is sent by POST (``officer.queue_search``) and answered by a redirect to
the queue with its filters in the query string, so that its pages can be reloaded,
bookmarked and paged. An ID number is the exception: it is kept in the signed session
and the URL carries only its masked form (``who=001******345``), so the full number
never reaches a URL, a browser's history or an access log (the guide: ID numbers masked
where not needed; no personal data in logs).
"""

from __future__ import annotations

from datetime import date

from flask import session, url_for

from benefits.cases.models import CASE_STATUSES
from benefits.cases.queries import DEADLINES, QUEUE_STATES, QueueFilter
from benefits.people.national_id import mask_national_id, normalize_national_id

# Where the session keeps the ID number the officer last searched for.
SEARCHED_ID = "queue_national_id"
SEARCH_ARGS = ("q", "procedure", "state", "deadline", "who")
_STATES = QUEUE_STATES + tuple(s for s in CASE_STATUSES if s != "draft")


def is_national_id(text: str) -> bool:
    digits = normalize_national_id(text.strip())
    return len(digits) == 12 and digits.isascii() and digits.isdigit()


def queue_url(q: str, procedure: str, state: str, deadline: str) -> str:
    """The queue's URL for a search sent by its form; an ID number goes to the session."""
    args = {"procedure": procedure or None, "deadline": deadline or None,
            "state": state if state and state != "open" else None}  # fmt: skip
    searched = session.get(SEARCHED_ID)
    if is_national_id(q):
        national_id = normalize_national_id(q.strip())
        session[SEARCHED_ID] = national_id
        args["who"] = mask_national_id(national_id)
    elif searched and q.strip() == mask_national_id(searched):
        args["who"] = q.strip()  # the box shows the number masked: the same search again
    elif q.strip():
        args["q"] = q.strip()
    return url_for("officer.home", **args)


def queue_filter(args, procedures: set[str]) -> tuple[QueueFilter, bool]:
    """The search a queue URL names, and whether it names an ID number the session no
    longer holds (another browser, a link sent on): then it is left out and the officer
    is asked to type it again. Unknown values are ignored, as a bookmark of a filter
    removed since should still open the queue."""
    state = args.get("state") or args.get("step") or "open"  # ``step``: older links
    procedure = args.get("procedure") or None
    deadline = args.get("deadline") or None
    national_id = None
    lost = False
    if who := args.get("who"):
        searched = session.get(SEARCHED_ID)
        if searched and mask_national_id(searched) == who:
            national_id = searched
        else:
            lost = True
    text = (args.get("q") or "")[:120]
    if is_national_id(text):  # typed into the URL by hand: searched as one all the same
        national_id, text = normalize_national_id(text.strip()), ""
    return QueueFilter(
        text=text,
        national_id=national_id,
        procedure=procedure if procedure in procedures else None,
        state=state if state in _STATES else "open",
        deadline=deadline if deadline in DEADLINES else None,
    ), lost


def parse_key(raw: str | None) -> tuple[date, int] | None:
    """``2025-03-14.123`` (due date and id of the last dossier shown); anything else is
    the first page."""
    day, _dot, case_id = (raw or "").partition(".")
    try:
        return date.fromisoformat(day), int(case_id)
    except ValueError:
        return None


def format_key(key: tuple[date, int] | None) -> str | None:
    return key and f"{key[0].isoformat()}.{key[1]}"


def search_args(args) -> dict[str, str]:
    """The search of the page shown, for the links of its other pages."""
    return {name: args[name] for name in SEARCH_ARGS if args.get(name)}
