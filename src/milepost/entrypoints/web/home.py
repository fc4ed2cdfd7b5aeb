"""Signing in and out, and each store's dashboard: the alerts to act
on (the signed-in user's own first) with Acknowledge and Resolve, charts of the last
30 days, and the milestones just reached."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from milepost.domain.delivery import attempts_text
from milepost.domain.records import Store
from milepost.entrypoints.web import auth, charts, render
from milepost.entrypoints.web.auth import SignedIn
from milepost.errors import NotFound
from milepost.formatting import store_money
from milepost.service.dashboard import Activity
from milepost.service.users import LoginRefused, TooManyAttempts

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str = "/admin") -> Response:
    token = request.cookies.get(auth.SESSION_COOKIE, "")
    if token and auth.mp_of(request).sessions.get(token) is not None:
        return render.redirect(auth.safe_next(next))
    return _login_form(request, next)


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    login_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/admin",
) -> Response:
    expected = request.cookies.get(auth.LOGIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, login_token):
        return _login_form(request, next, email, "The sign-in form expired: please try again.", 400)
    mp = auth.mp_of(request)
    address = request.client.host if request.client else "unknown"
    try:
        token, session = mp.sessions.sign_in(email, password, address)
    except TooManyAttempts as e:
        response = _login_form(request, next, email, "Too many failed sign-ins: wait 15 minutes and try again.", 429)
        response.headers["Retry-After"] = str(e.retry_after)
        return response
    except LoginRefused:
        return _login_form(request, next, email, "The email or the password is wrong.", 401)
    response = render.redirect(auth.safe_next(next))
    max_age = int((session.expires_at - mp.clock()).total_seconds())
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=mp.settings.cookies_secure,
        path="/admin",
    )
    response.delete_cookie(auth.LOGIN_COOKIE, path="/admin")
    return response


@router.post("/logout")
async def logout(request: Request, session: SignedIn) -> Response:
    await auth.checked_form(request, session)
    auth.mp_of(request).sessions.sign_out(request.cookies.get(auth.SESSION_COOKIE, ""))
    response = render.redirect("/admin/login")
    response.delete_cookie(auth.SESSION_COOKIE, path="/admin")
    return response


@router.get("/{store}")
def dashboard(request: Request, store: str, session: SignedIn) -> Response:
    mp = auth.mp_of(request)
    found = auth.store_of(request, store)
    yours = mp.alerts.list(store, status="unresolved", assignee=session.user.email, limit=20)
    alerts = mp.alerts.list(store, status="unresolved", limit=ALERTS_SHOWN + 1)
    recent = mp.reports.milestone_log(store, limit=15)
    return render.page(
        request,
        "dashboard.html",
        session,
        store=found,
        yours=yours,
        alerts=alerts[:ALERTS_SHOWN],
        more_alerts=len(alerts) > ALERTS_SHOWN,
        recent=recent,
        charts=_charts(mp.reports.activity(store, CHART_DAYS), found),
    )


@router.post("/{store}/alerts/{alert_id:alr}/{step}")
async def handle_alert(request: Request, store: str, alert_id: int, step: str, session: SignedIn) -> Response:
    """Acknowledge (someone is on it) or resolve (done) an alert, as the signed-in user."""
    mp = auth.mp_of(request)
    await auth.checked_form(request, session)
    if step == "acknowledge":
        mp.alerts.acknowledge(store, alert_id, session.user.email)
    elif step == "resolve":
        mp.alerts.resolve(store, alert_id, session.user.email)
    else:
        raise NotFound(f"no step {step!r} for an alert")
    return render.redirect(f"/admin/{store}")


ALERTS_SHOWN = 20
CHART_DAYS = 30


def _charts(activity: Activity, store: Store) -> list[dict[str, Any]]:
    """The dashboard's charts: a title, the total over the days, the SVG."""
    days = [d.day for d in activity.days]
    rate = activity.success_rate

    def amount(v: float) -> str:
        return store_money(store, int(v))

    return [
        {
            "title": "Milestones reached per day",
            "total": f"{activity.total('milestones'):,} in {len(days)} days",
            "svg": charts.bars("Milestones reached per day", days, [d.milestones for d in activity.days]),
        },
        {
            "title": "Credit given per day",
            "total": amount(activity.total("credit")),
            "svg": charts.bars("Credit given per day", days, [d.credit for d in activity.days], amount),
        },
        {
            "title": "Points given per day",
            "total": f"{activity.total('points'):,} points",
            "svg": charts.bars("Points given per day", days, [d.points for d in activity.days]),
        },
        {
            "title": "Codes issued per day",
            "total": f"{activity.total('codes'):,} codes",
            "svg": charts.bars("Codes issued per day", days, [d.codes for d in activity.days]),
        },
        {
            "title": "Delivery success rate",
            "total": "no deliveries" if rate is None else f"{rate:.1%} of {attempts_text(activity.total('attempts'))}",
            "svg": charts.bars(
                "Delivery success rate per day",
                days,
                [None if d.success_rate is None else 100 * d.success_rate for d in activity.days],
                lambda v: f"{v:.0f}%",
                ceiling=100,
            ),
        },
    ]


def _login_form(request: Request, next_url: str, email: str = "", error: str = "", status: int = 200) -> Response:
    login_token = secrets.token_urlsafe(32)
    response = render.page(
        request,
        "login.html",
        None,
        status_code=status,
        next=auth.safe_next(next_url),
        email=email,
        error=error,
        login_token=login_token,
    )
    secure = auth.mp_of(request).settings.cookies_secure
    response.set_cookie(
        auth.LOGIN_COOKIE, login_token, max_age=3600, httponly=True, samesite="strict", secure=secure, path="/admin"
    )
    return response
