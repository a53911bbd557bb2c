"""The Dovecot configuration ``devstack/mailbox.py`` writes, and who its processes run as.

For Dovecot 2.3 (Debian 12's dovecot-imapd). 2.4 renamed many settings (``mail_location``,
``disable_plaintext_auth``, the passdb and userdb blocks ...); it is refused with a
message rather than half-configured.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


class MailboxError(Exception):
    """Dovecot is missing, cannot start or did not answer; the message says why."""


@dataclass(frozen=True)
class Identity:
    """Who Dovecot's processes run as, and where the mail processes see the mailbox."""

    internal_user: str
    internal_group: str
    login_user: str
    login_chroot: str
    mail_uid: int
    mail_gid: int
    mail_chroot: Path | None  # as root: the mail processes see mail/ as /


def identity(mail_dir: Path) -> Identity:
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        group = _group_name(os.getegid())
        return Identity(me, group, me, "", os.geteuid(), os.getegid(), None)
    try:
        mail = pwd.getpwnam("dovecot")
        pwd.getpwnam("dovenull")
    except KeyError:
        raise MailboxError("running as root needs the users dovecot and dovenull that dovecot-core creates") from None
    return Identity("root", "root", "dovenull", "login", mail.pw_uid, mail.pw_gid, mail_dir)


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def render_config(
    *,
    version: tuple[int, int],
    who: Identity,
    port: int,
    run_dir: Path,
    state_dir: Path,
    log: Path,
    users: Path,
    home: Path,
    capabilities: str | None,
    tls: tuple[int, Path, Path] | None = None,
    oauth2: Path | None = None,
) -> str:
    """``oauth2``: the oauth2 passdb's settings file (``render_oauth2``); XOAUTH2 and
    OAUTHBEARER are then offered besides PLAIN and LOGIN."""
    if version >= (2, 4):
        raise MailboxError(
            f"Dovecot {version[0]}.{version[1]} is installed; devstack/mailbox.py writes a configuration "
            "for Dovecot 2.3 (Debian 12), whose settings 2.4 renamed"
        )
    lines = [
        "# Written by devstack/mailbox.py at every start; edits are lost.",
        "protocols = imap",
        f"listen = {HOST}",
        f"base_dir = {run_dir}",
        f"state_dir = {state_dir}",
        f"log_path = {log}",
        # Plaintext LOGIN on 127.0.0.1 only: this is a local test mailbox.
        *(["ssl = yes", f"ssl_cert = <{tls[1]}", f"ssl_key = <{tls[2]}"] if tls else ["ssl = no"]),
        "disable_plaintext_auth = no",
        f"auth_mechanisms = plain login{' xoauth2 oauthbearer' if oauth2 else ''}",
        # A refused sign-in is answered at once (and, below, the next one from the same
        # address is not held back 2 to 15 s): both slow password guessing over a
        # network, and this mailbox listens on 127.0.0.1 only.
        "auth_failure_delay = 0",
        f"default_internal_user = {who.internal_user}",
        f"default_internal_group = {who.internal_group}",
        f"default_login_user = {who.login_user}",
        "mail_location = maildir:~/Maildir",
        f"mail_uid = {who.mail_uid}",
        f"mail_gid = {who.mail_gid}",
        f"first_valid_uid = {who.mail_uid}",
        f"first_valid_gid = {who.mail_gid}",
        *([f"mail_chroot = {who.mail_chroot}"] if who.mail_chroot else []),
        *([f"imap_capability = {capabilities}"] if capabilities is not None else []),
        *(
            ["passdb {", "  driver = oauth2", "  mechanisms = xoauth2 oauthbearer", f"  args = {oauth2}", "}"]
            if oauth2
            else []
        ),
        "passdb {",
        "  driver = passwd-file",
        *(["  mechanisms = plain login"] if oauth2 else []),
        f"  args = scheme=PLAIN username_format=%u {users}",
        "}",
        "userdb {",
        "  driver = static",
        f"  args = home={home}",
        "}",
        "service imap-login {",
        f"  chroot = {who.login_chroot}",
        "  inet_listener imap {",
        f"    address = {HOST}",
        f"    port = {port}",
        "  }",
        "  inet_listener imaps {",
        *([f"    address = {HOST}", f"    port = {tls[0]}"] if tls else ["    port = 0"]),
        "  }",
        "}",
        "service anvil {",
        f"  chroot = {'empty' if who.login_chroot else ''}",
        # Dovecot's documented way to turn the "auth penalty" off: nobody may use its socket.
        "  unix_listener anvil-auth-penalty {",
        "    mode = 0",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def render_oauth2(introspection_url: str) -> str:
    """The oauth2 passdb's settings (Dovecot 2.3): each token is checked by POSTing it to
    ``introspection_url`` (RFC 7662), which answers ``{"active": true, "username": ...}``
    for a token it issued and has not seen expire."""
    lines = [
        "# Written by devstack/mailbox.py at every start; edits are lost.",
        f"introspection_url = {introspection_url}",
        "introspection_mode = post",
        "force_introspection = yes",
        "username_attribute = username",
        "active_attribute = active",
        "active_value = true",
        "timeout_msecs = 5000",
    ]
    return "\n".join(lines) + "\n"


def write_self_signed(cert_file: Path, key_file: Path) -> None:
    """A certificate for localhost and 127.0.0.1, valid for a week, and its key (0600)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
