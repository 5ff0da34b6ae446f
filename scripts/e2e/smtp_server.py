#!/usr/bin/env python3
"""A test SMTP server with STARTTLS and AUTH (aiosmtpd), storing what it receives in a Maildir.

`python3 -m aiosmtpd` cannot require authentication; this can. Used by MailTests:

    python3 scripts/e2e/smtp_server.py --port 2525 --maildir DIR --cert C --key K --user U --password P [--only-login]

Prints `ready` once listening; logs the AUTH mechanism used to DIR-auth.log.
"""
import argparse
import os
import signal
import threading
import ssl
import time

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult, LoginPassword


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--maildir", required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--only-login", action="store_true", help="offer AUTH LOGIN only")
    a = p.parse_args()
    log = a.maildir.rstrip("/") + "-auth.log"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == a.user and auth_data.password.decode() == a.password
        with open(log, "a") as f:
            f.write(f"{mechanism} {'ok' if ok else 'refused'} tls={session.ssl is not None}\n")
        return AuthResult(success=ok, handled=False)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(a.cert, a.key)
    controller = Controller(Mailbox(a.maildir), hostname="127.0.0.1", port=a.port, authenticator=authenticator,
                            auth_require_tls=True, require_starttls=True, tls_context=context,
                            auth_exclude_mechanism=["PLAIN"] if a.only_login else None)
    controller.start()
    print("ready", flush=True)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop:
        time.sleep(0.1)
    # aiosmtpd's stop waits for the sessions still open: a test server must go at once, not linger as an
    # orphan once the test that started it has ended.
    stopping = threading.Thread(target=controller.stop, daemon=True)
    stopping.start()
    stopping.join(2)
    os._exit(0)


if __name__ == "__main__":
    main()
