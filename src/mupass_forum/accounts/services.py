"""Accounts: sign-up and verification, sign-in sessions, passwords and their reset, the profile."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from mupass_forum import db
from mupass_forum.accounts import mails, schemas
from mupass_forum.accounts.authorization import (
    as_signed_in,
    authorize,
    signed_in,
)
from mupass_forum.accounts.passwords import Passwords, password_problem
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.rate_limits import (
    ClientThrottle,
    Counters,
    LoginThrottle,
    MailThrottle,
    MemoryCounters,
    RedisCounters,
)
from mupass_forum.accounts.tables import (
    OWN_ACCOUNT_COLUMNS,
    Membership,
    OneTimeToken,
    Session,
    TranslatorRole,
    User,
)
from mupass_forum.clock import now
from mupass_forum.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Gone,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from mupass_forum.i18n import N_
from mupass_forum.mail import MailTemplate, Recipient, queue_mail_to
from mupass_forum.rows import Moment, row_as, rows_as
from mupass_forum.settings import Settings
from mupass_forum.validation import (
    email_problem,
    locale_problem,
    raise_problems,
    required_problem,
    timezone_problem,
)

VERIFY_EMAIL = "verify_email"
PASSWORD_RESET = "password_reset"  # noqa: S105 (a token purpose, not a secret)
VERIFICATION_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=1)
#: ``last_used_at`` of a session is refreshed at most this often, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def normalize_email(email: str) -> str:
    """One spelling per address: surrounding space removed, lower case throughout."""
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A random token of 256 bits and the hash under which it is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


#: The columns of a ``Recipient``.
RECIPIENT_COLUMNS = (User.id, User.email, User.display_name, User.locale, User.timezone)


class _AccountHolder(Recipient, frozen=True, kw_only=True):
    email_verified_at: Moment | None


class _TokenRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    user: int
    email: str
    expires_at: Moment


class _LoginRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    password_hash: str
    email_verified_at: Moment | None


class _SessionRow(msgspec.Struct, frozen=True, kw_only=True):
    """The first row of the principal query: the session and its account."""

    ref: int
    value: str
    last_used_at: Moment
    user_id: int
    display_name: str
    locale: str
    timezone: str
    is_platform_admin: bool


class _MeRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    email: str
    display_name: str
    locale: str
    timezone: str
    email_verified_at: Moment | None
    is_platform_admin: bool
    created_at: Moment


async def recipient_where(*where: Combinable) -> Recipient | None:
    """The account that ``where`` picks, as a mail to it needs it."""
    row = await User.select(*RECIPIENT_COLUMNS).where(*where).first()
    return None if row is None else row_as(row, Recipient)


async def recipients_among(user_ids: Iterable[int]) -> list[Recipient]:
    """The accounts among ``user_ids`` that are not erased, as a mail to them needs them."""
    rows = await User.select(*RECIPIENT_COLUMNS).where(
        User.id.is_in(sorted(user_ids)), User.erased_at.is_null()
    )
    return rows_as(rows, Recipient)


async def mail_account(template: MailTemplate, recipient: Recipient, **context: Any) -> None:
    """Queue ``template`` for an account (inside the caller's transaction)."""
    await queue_mail_to(
        template, recipient, context={"display_name": recipient.display_name, **context}
    )


_PRINCIPAL_QUERY = """
SELECT 'session' AS kind, s.id AS ref, u.email AS value, s.last_used_at AS last_used_at,
       u.id AS user_id, u.display_name AS display_name, u.locale AS locale,
       u.timezone AS timezone, u.is_platform_admin AS is_platform_admin
FROM account_session s JOIN account_user u ON u.id = s."user"
WHERE s.token_hash = {} AND s.revoked_at IS NULL AND s.expires_at > {}
UNION ALL
SELECT 'organization', m.organization, m.role, NULL, NULL, NULL, NULL, NULL, NULL
FROM account_membership m JOIN account_session s ON s."user" = m."user"
WHERE s.token_hash = {}
UNION ALL
SELECT 'translator', NULL, t.locale, NULL, NULL, NULL, NULL, NULL, NULL
FROM account_translator_role t JOIN account_session s ON s."user" = t."user"
WHERE s.token_hash = {}
"""

_PRINCIPAL_BY_SESSION = _PRINCIPAL_QUERY.replace("s.token_hash = {}", "s.id = {}")

INVALID_CREDENTIALS = (
    "invalid_credentials",
    N_("The email address or the password is not correct."),
)


def _check_account(
    email: str, password: str, display_name: str, locale: str, timezone: str
) -> None:
    raise_problems(
        email_problem(email),
        password_problem(password, personal=(email, display_name)),
        required_problem(display_name, "/display_name"),
        locale_problem(locale),
        timezone_problem(timezone),
    )


class AccountService:
    """Sign-up, sign-in, sessions and the caller's own account, for one app's settings."""

    def __init__(self, settings: Settings, counters: Counters) -> None:
        self.settings = settings
        self.passwords = Passwords(
            settings.password_hash_memory_kib,
            settings.password_hash_time_cost,
            settings.password_hash_concurrency,
        )
        self.throttle = LoginThrottle(
            counters,
            per_account=settings.login_failures_per_account,
            per_address=settings.login_failures_per_address,
            window_seconds=settings.login_failure_window_seconds,
        )
        self.mail_throttle = MailThrottle(counters)
        self.client_throttle = ClientThrottle(counters)
        # Compared against when an address is unknown, so that the answer takes as long as
        # for a known one and does not reveal which addresses have accounts.
        self._decoy_hash = self.passwords.hash(secrets.token_urlsafe(16))

    @classmethod
    def from_settings(cls, settings: Settings) -> AccountService:
        counters: Counters = (
            RedisCounters(settings.redis_url, settings.redis_key_prefix)
            if settings.redis_url
            else MemoryCounters()
        )
        return cls(settings, counters)

    async def close(self) -> None:
        await self.throttle.counters.close()

    async def hash_password(self, password: str) -> str:
        # argon2 takes tens of milliseconds of CPU by design; keep the event loop free.
        return await self.passwords.hashed(password)

    async def _verify_password(self, stored_hash: str, password: str) -> bool:
        return await self.passwords.verified(stored_hash, password)

    # Accounts ------------------------------------------------------------------------------

    async def create_account(
        self,
        *,
        email: str,
        password: str,
        display_name: str,
        locale: str,
        timezone: str,
        verified: bool = False,
        is_platform_admin: bool = False,
    ) -> int:
        """Create an account and return its id; raises ``Conflict`` when the address has one.

        An unverified account gets its confirmation mail in the same transaction."""
        email = normalize_email(email)
        _check_account(email, password, display_name, locale, timezone)
        password_hash = await self.hash_password(password)
        async with db.transaction():
            if await User.exists().where(User.email == email):
                raise Conflict("email_taken", N_("The address {email} is taken."), email=email)
            stamp = now()
            try:
                rows = await User.insert(
                    User(
                        email=email,
                        password_hash=password_hash,
                        display_name=display_name.strip(),
                        locale=locale,
                        timezone=timezone,
                        email_verified_at=stamp if verified else None,
                        is_platform_admin=is_platform_admin,
                        created_at=stamp,
                        updated_at=stamp,
                    )
                ).returning(User.id)
            except db.INTEGRITY_ERRORS as exc:
                if not db.is_unique_violation(exc, "account_user", "email"):
                    raise
                raise Conflict(
                    "email_taken", N_("The address {email} is taken."), email=email
                ) from exc
            user_id = int(rows[0]["id"])
            if not verified:
                recipient = Recipient(
                    id=user_id,
                    email=email,
                    display_name=display_name.strip(),
                    locale=locale,
                    timezone=timezone,
                )
                await self._send_verification(recipient)
        return user_id

    def check_sign_up(self, data: schemas.SignUp) -> None:
        """Raise ``InvalidInput`` for what is wrong with ``data`` whoever owns the address: the
        part of signing up that is answered at once."""
        _check_account(
            normalize_email(data.email),
            data.password,
            data.display_name,
            data.locale,
            data.timezone,
        )

    async def sign_up(self, data: schemas.SignUp) -> None:
        """Create an unverified account; does the same whether the address is known or not."""
        try:
            await self.create_account(
                email=data.email,
                password=data.password,
                display_name=data.display_name,
                locale=data.locale,
                timezone=data.timezone,
            )
        except Conflict:
            # Saying so would tell anyone which addresses have accounts here; the owner of
            # the address learns it by mail instead.
            await self._remind_existing_account(normalize_email(data.email))

    async def _remind_existing_account(self, email: str) -> None:
        """A new confirmation link if the address is unconfirmed, else a note that it has an
        account already."""
        async with db.transaction():
            row = (
                await User.select(*RECIPIENT_COLUMNS, User.email_verified_at)
                .where(User.email == email)
                .first()
            )
            if row is None:
                return
            user = row_as(row, _AccountHolder)
            verified = user.email_verified_at is not None
            kind = "already_registered" if verified else VERIFY_EMAIL
            if not await self.mail_throttle.allow(kind, email):
                return
            if not verified:
                await self._send_verification(user)
                return
            await mail_account(
                mails.ALREADY_REGISTERED,
                user,
                link=mails.link(self.settings.base_url, mails.RESET_PATH, user.locale),
            )

    async def _send_verification(self, recipient: Recipient) -> None:
        """Issue a confirmation token and queue its mail (inside the caller's transaction)."""
        token, expires_at = await self._issue_token(
            recipient.id, VERIFY_EMAIL, recipient.email, VERIFICATION_LIFETIME
        )
        await mail_account(
            mails.VERIFY_EMAIL,
            recipient,
            link=mails.link(self.settings.base_url, mails.VERIFY_PATH, recipient.locale, token),
            expires_at=expires_at,
        )

    async def verify_email(self, token: str) -> None:
        """Mark the address verified; the token works once, before it expires."""
        async with db.transaction():
            row = await self._use_token(token, VERIFY_EMAIL)
            updated = (
                await User.update({User.email_verified_at: now(), User.updated_at: now()})
                .where(User.id == row.user, User.email == row.email)
                .returning(User.id)
            )
            if not updated:
                raise _invalid_token()

    async def _issue_token(
        self, user_id: int, purpose: str, email: str, lifetime: timedelta
    ) -> tuple[str, datetime]:
        """A new one-time token and when it expires."""
        token, hashed = new_token()
        stamp = now()
        await OneTimeToken.insert(
            OneTimeToken(
                user=user_id,
                purpose=purpose,
                token_hash=hashed,
                email=email,
                created_at=stamp,
                expires_at=stamp + lifetime,
            )
        )
        return token, stamp + lifetime

    async def _void_tokens(self, user_id: int, purpose: str) -> None:
        """Spend every unused token of the account for ``purpose``: after a password changes, or
        when a newer link is sent, the links mailed before must stop working."""
        await OneTimeToken.update({OneTimeToken.used_at: now()}).where(
            OneTimeToken.user == user_id,
            OneTimeToken.purpose == purpose,
            OneTimeToken.used_at.is_null(),
        )

    async def _use_token(self, token: str, purpose: str) -> _TokenRow:
        """Spend a one-time token (inside the caller's transaction) and return its row."""
        found = (
            await OneTimeToken.select(
                OneTimeToken.id, OneTimeToken.user, OneTimeToken.email, OneTimeToken.expires_at
            )
            .where(
                OneTimeToken.token_hash == token_hash(token),
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_null(),
            )
            .first()
        )
        if found is None:
            raise _invalid_token()
        row = row_as(found, _TokenRow)
        if row.expires_at <= now():
            raise Gone(
                "token_expired",
                N_("This link has expired. Please ask for a new one."),
            )
        spent = (
            await OneTimeToken.update({OneTimeToken.used_at: now()})
            .where(OneTimeToken.id == row.id, OneTimeToken.used_at.is_null())
            .returning(OneTimeToken.id)
        )
        if not spent:
            raise _invalid_token()
        return row

    # Signing in and out --------------------------------------------------------------------

    async def log_in(
        self, data: schemas.Login, *, client_address: str, user_agent: str
    ) -> schemas.SignedIn:
        """Check the password and open a new session with a new token."""
        email = normalize_email(data.email)
        await self.throttle.attempt(email, client_address)
        found = (
            await User.select(User.id, User.password_hash, User.email_verified_at)
            .where(User.email == email)
            .first()
        )
        user = None if found is None else row_as(found, _LoginRow)
        stored_hash = user.password_hash if user else self._decoy_hash
        if not await self._verify_password(stored_hash, data.password) or user is None:
            raise NotAuthenticated(*INVALID_CREDENTIALS)
        await self.throttle.succeeded(email, client_address)
        if user.email_verified_at is None:
            raise Forbidden(
                "email_not_verified",
                N_(
                    "Please confirm your email address first: follow the link in the mail we "
                    "sent you. Signing up again sends a new link."
                ),
            )
        user_id = user.id
        if self.passwords.needs_rehash(stored_hash):
            await User.update({User.password_hash: await self.hash_password(data.password)}).where(
                User.id == user_id
            )
        token, hashed = new_token()
        stamp = now()
        expires_at = stamp + timedelta(hours=self.settings.session_lifetime_hours)
        await Session.insert(
            Session(
                user=user_id,
                token_hash=hashed,
                created_at=stamp,
                last_used_at=stamp,
                expires_at=expires_at,
                user_agent=user_agent[:255],
                client_address=client_address[:64],
            )
        )
        return schemas.SignedIn(
            token=token,
            token_type="Bearer",  # noqa: S106
            expires_at=expires_at,
            account=await self.me(user_id),
        )

    async def principal_for_token(self, token: str) -> Principal | None:
        """The caller holding ``token``, or None when it is unknown, expired or revoked."""
        return await self._principal(_PRINCIPAL_QUERY, token_hash(token))

    async def principal_for_session(self, session_id: int) -> Principal | None:
        """The caller of a session, as it stands now (for connections that outlive a request,
        such as the board's live stream), or None once it has ended."""
        return await self._principal(_PRINCIPAL_BY_SESSION, session_id)

    async def _principal(self, sql: str, key: str | int) -> Principal | None:
        stamp = now()
        # Every authenticated request pays for this, so it is one round trip: the session
        # and its account first, then one row per organization role and translator locale.
        # Bounded by an index (the token's, the session's): inline on SQLite, so that a crowd of
        # requests does not queue for the reader threads before each can even start.
        rows = await db.read_indexed(sql, key, stamp, key, key)
        found = next((row for row in rows if row["kind"] == "session"), None)
        if found is None:
            return None
        session = row_as(found, _SessionRow)
        organization_roles = {
            int(row["ref"]): row["value"] for row in rows if row["kind"] == "organization"
        }
        translator_locales = frozenset(row["value"] for row in rows if row["kind"] == "translator")
        if stamp - session.last_used_at > LAST_USED_RESOLUTION:
            await Session.update({Session.last_used_at: stamp}).where(Session.id == session.ref)
        return Principal(
            user_id=session.user_id,
            email=session.value,
            display_name=session.display_name,
            locale=session.locale,
            timezone=session.timezone,
            is_platform_admin=session.is_platform_admin,
            organization_roles=MappingProxyType(organization_roles),
            translator_locales=translator_locales,
            session_id=session.ref,
        )

    async def log_out(self, principal: Principal) -> None:
        await authorize(principal, signed_in)
        await Session.update({Session.revoked_at: now()}).where(
            Session.id == principal.session_id, Session.revoked_at.is_null()
        )

    async def sessions(self, principal: Principal) -> list[schemas.Session]:
        """The caller's sessions that still work, newest first."""
        await authorize(principal, signed_in)
        rows = (
            await Session.select(
                Session.id,
                Session.created_at,
                Session.last_used_at,
                Session.expires_at,
                Session.user_agent,
                Session.client_address,
            )
            .where(
                Session.user == principal.user_id,
                Session.revoked_at.is_null(),
                Session.expires_at > now(),
            )
            .order_by(Session.id, ascending=False)
        )
        for row in rows:
            row["current"] = row["id"] == principal.session_id
        return rows_as(rows, schemas.Session)

    async def revoke_session(self, principal: Principal, session_id: int) -> None:
        await authorize(principal, signed_in)
        revoked = (
            await Session.update({Session.revoked_at: now()})
            .where(
                Session.id == session_id,
                Session.user == principal.user_id,
                Session.revoked_at.is_null(),
            )
            .returning(Session.id)
        )
        if not revoked:
            raise NotFound("session_not_found")

    async def revoke_other_sessions(self, principal: Principal) -> None:
        """Sign out every session of the caller's account but the one of this request."""
        await authorize(principal, signed_in)
        principal = as_signed_in(principal)
        await self._revoke_all_sessions(principal.user_id, keep=principal.session_id)

    async def _revoke_all_sessions(self, user_id: int, *, keep: int | None = None) -> None:
        query = Session.update({Session.revoked_at: now()}).where(
            Session.user == user_id, Session.revoked_at.is_null()
        )
        if keep is not None:
            query = query.where(Session.id != keep)
        await query

    # Passwords -----------------------------------------------------------------------------

    async def confirm_password(
        self,
        principal: Principal,
        password: str,
        *,
        client_address: str,
        pointer: str = "/current_password",
    ) -> None:
        """Check that the caller knows their current password, counted like a sign-in."""
        await authorize(principal, signed_in)
        principal = as_signed_in(principal)
        if principal.email is None:
            raise NotAuthenticated()
        await self.throttle.attempt(principal.email, client_address)
        stored = await User.select(User.password_hash).where(User.id == principal.user_id).first()
        if stored is None or not await self._verify_password(stored["password_hash"], password):
            raise InvalidInput(
                FieldError(
                    N_("This is not your current password."), "wrong_password", pointer=pointer
                )
            )
        await self.throttle.succeeded(principal.email, client_address)

    async def change_password(
        self, principal: Principal, data: schemas.PasswordChange, *, client_address: str
    ) -> None:
        """Set a new password; every other session of the account is signed out."""
        await self.confirm_password(principal, data.current_password, client_address=client_address)
        principal = as_signed_in(principal)
        personal = (principal.email or "", principal.display_name or "")
        raise_problems(password_problem(data.new_password, "/new_password", personal=personal))
        new_hash = await self.hash_password(data.new_password)
        async with db.transaction():
            stamp = now()
            await User.update({User.password_hash: new_hash, User.updated_at: stamp}).where(
                User.id == principal.user_id
            )
            await self._revoke_all_sessions(principal.user_id, keep=principal.session_id)
            await self._void_tokens(principal.user_id, PASSWORD_RESET)
            user = await recipient_where(User.id == principal.user_id)
            assert user is not None
            await mail_account(
                mails.PASSWORD_CHANGED,
                user,
                changed_at=stamp,
                link=mails.link(self.settings.base_url, mails.RESET_PATH, user.locale),
            )

    async def request_password_reset(self, data: schemas.PasswordResetRequest) -> None:
        """Mail a reset link if the address has an account; the answer is the same if not."""
        email = normalize_email(data.email)
        async with db.transaction():
            user = await recipient_where(User.email == email)
            if user is None or not await self.mail_throttle.allow(PASSWORD_RESET, email):
                return
            # Only the newest link works: an older one may sit in a mailbox someone else reads.
            await self._void_tokens(user.id, PASSWORD_RESET)
            token, expires_at = await self._issue_token(
                user.id, PASSWORD_RESET, email, RESET_LIFETIME
            )
            await mail_account(
                mails.PASSWORD_RESET,
                user,
                link=mails.link(self.settings.base_url, mails.RESET_PATH, user.locale, token),
                expires_at=expires_at,
            )

    async def reset_password(self, data: schemas.PasswordReset) -> None:
        """Set a new password with a reset token; all sessions of the account end."""
        holder = (
            await OneTimeToken.select(OneTimeToken.email)
            .where(OneTimeToken.token_hash == token_hash(data.token))
            .first()
        )
        personal = (holder["email"],) if holder else ()
        raise_problems(password_problem(data.new_password, "/new_password", personal=personal))
        new_hash = await self.hash_password(data.new_password)
        async with db.transaction():
            row = await self._use_token(data.token, PASSWORD_RESET)
            user = await User.select(User.email).where(User.id == row.user).first()
            if user is None or user["email"] != row.email:
                raise _invalid_token()
            stamp = now()
            changes: dict[Any, Any] = {User.password_hash: new_hash, User.updated_at: stamp}
            await User.update(changes).where(User.id == row.user)
            # Following the link proves the address as well as signing up would have.
            await User.update({User.email_verified_at: stamp}).where(
                User.id == row.user, User.email_verified_at.is_null()
            )
            await self._revoke_all_sessions(row.user)
            await self._void_tokens(row.user, PASSWORD_RESET)

    # The caller's own account --------------------------------------------------------------

    async def me(self, user_id: int) -> schemas.Me:
        found = await User.select(*OWN_ACCOUNT_COLUMNS).where(User.id == user_id).first()
        if found is None:
            raise NotFound("account_not_found")
        user = row_as(found, _MeRow)
        organizations = await (
            Membership.select(
                Membership.organization.id.as_alias("id"),
                Membership.organization.name.as_alias("name"),
                Membership.role,
            )
            .where(Membership.user == user_id)
            .order_by(Membership.organization.name)
        )
        locales = await (
            TranslatorRole.select(TranslatorRole.locale)
            .where(TranslatorRole.user == user_id)
            .order_by(TranslatorRole.locale)
        )
        return schemas.Me(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            locale=user.locale,
            timezone=user.timezone,
            email_verified=user.email_verified_at is not None,
            is_platform_admin=user.is_platform_admin,
            organizations=rows_as(organizations, schemas.MyOrganization),
            translator_locales=[row["locale"] for row in locales],
            created_at=user.created_at,
        )

    async def my_account(self, principal: Principal) -> schemas.Me:
        await authorize(principal, signed_in)
        principal = as_signed_in(principal)
        return await self.me(principal.user_id)

    async def update_my_account(self, principal: Principal, data: schemas.MeUpdate) -> schemas.Me:
        await authorize(principal, signed_in)
        principal = as_signed_in(principal)
        changes: dict[Any, Any] = {}
        problems: list[FieldError | None] = []
        if not isinstance(data.display_name, msgspec.UnsetType):
            problems.append(required_problem(data.display_name, "/display_name"))
            changes[User.display_name] = data.display_name.strip()
        if not isinstance(data.locale, msgspec.UnsetType):
            problems.append(locale_problem(data.locale))
            changes[User.locale] = data.locale
        if not isinstance(data.timezone, msgspec.UnsetType):
            problems.append(timezone_problem(data.timezone))
            changes[User.timezone] = data.timezone
        raise_problems(*problems)
        if changes:
            changes[User.updated_at] = now()
            await User.update(changes).where(User.id == principal.user_id)
        return await self.me(principal.user_id)

    async def make_platform_admin(self, email: str) -> bool:
        """Make an existing account a platform admin; False when there is none."""
        updated = (
            await User.update({User.is_platform_admin: True, User.updated_at: now()})
            .where(User.email == normalize_email(email))
            .returning(User.id)
        )
        return bool(updated)


def _invalid_token() -> InvalidInput:
    return InvalidInput(
        FieldError(
            N_("This link is not valid or has been used already."),
            "invalid_token",
            pointer="/token",
        ),
        detail=N_("This link is not valid or has been used already."),
    )
