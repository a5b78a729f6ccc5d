// Generated from smtp_peer.py by sync-script.sh: edit the Python file, then run the script.
namespace MailServerAdmin.Tests.Infrastructure.Smtp;

/// <summary>The source of smtp_peer.py, written to a temporary folder by <see cref="SmtpTestPeer"/>.</summary>
internal static class SmtpPeerScript
{
    public const string Source = """"
# SMTP test peer: a real SMTP server on 127.0.0.1 that records the whole conversation.
#
# Needs Python 3 with aiosmtpd (Debian: apt-get install -y python3-aiosmtpd).
# Prints one JSON line on stdout when it listens: {"port": N, "pid": N}.
# Every event goes to --log FILE as one JSON object per line.
# Exits cleanly on SIGTERM, SIGINT, and (with --exit-on-stdin-eof) when stdin closes.
#
# Run with --help for the options.

import argparse
import asyncio
import base64
import collections
import json
import logging
import os
import signal
import ssl
import sys
import threading
import time

from aiosmtpd.smtp import MISSING, SMTP, AuthResult

XOAUTH2_DEFAULT_ERROR = {
    "status": "401",
    "schemes": "bearer",
    "scope": "https://mail.google.com/",
}


def parse_pair(text, what):
    name, sep, secret = text.partition(":")
    if not sep:
        raise argparse.ArgumentTypeError(f"{what} must look like NAME:SECRET, got {text!r}")
    return name, secret


def normalise_reply(lines):
    # Turns ["534-5.7.9 a", "534 5.7.9 b"] (or a single line, with or without the
    # continuation dash) into one well-formed SMTP reply: every line but the last
    # uses "-", the last uses " ". Returns None when no line is given.
    lines = [line.rstrip("\r\n") for line in (lines or []) if line and line.strip()]
    if not lines:
        return None
    out = []
    for index, line in enumerate(lines):
        code, text = line[:3], line[4:] if len(line) > 3 else ""
        if not (code.isdigit() and (len(line) == 3 or line[3] in " -")):
            raise ValueError(f"not an SMTP reply line: {line!r}")
        sep = " " if index == len(lines) - 1 else "-"
        out.append(f"{code}{sep}{text}")
    return "\r\n".join(out)


class Recorder:
    def __init__(self, path):
        self._file = open(path, "a", encoding="utf-8") if path else None
        self._seq = 0
        self._lock = threading.Lock()

    def record(self, event, conn=0, **fields):
        with self._lock:
            self._seq += 1
            item = {"seq": self._seq, "ts": round(time.time(), 6), "conn": conn, "event": event}
            item.update(fields)
            if self._file is not None:
                self._file.write(json.dumps(item, ensure_ascii=False) + "\n")
                self._file.flush()

    def close(self):
        if self._file is not None:
            self._file.close()


class Settings:
    # Static settings from the command line, plus the control file that is re-read on
    # every AUTH (so a test can change accepted credentials while the peer runs).
    def __init__(self, args):
        self.args = args
        self.basic = set(args.accept_basic or [])
        self.xoauth2 = set(args.accept_xoauth2 or [])
        self.fail_reply = normalise_reply(args.auth_fail_reply)
        self.rejected_rcpts = {a.lower() for a in (args.reject_rcpt or [])}
        self.rejected_senders = {a.lower() for a in (args.reject_sender or [])}

    def current(self):
        basic = set(self.basic)
        xoauth2 = set(self.xoauth2)
        fail_reply = self.fail_reply
        path = self.args.credentials_file
        if path and os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError) as error:
                logging.getLogger("smtp_peer").warning("cannot read %s: %s", path, error)
                data = {}
            for entry in data.get("basic", []):
                basic.add((entry.get("login", ""), entry.get("password", "")))
            for entry in data.get("xoauth2", []):
                xoauth2.add((entry.get("user", ""), entry.get("token", "")))
            if data.get("auth_fail_reply"):
                fail_reply = normalise_reply(data["auth_fail_reply"])
        return basic, xoauth2, fail_reply


def text_of(raw):
    return raw.decode("utf-8", errors="replace")


class Handler:
    # Hooks called by aiosmtpd. Beware: aiosmtpd treats every attribute whose name
    # starts with "auth_" as an AUTH mechanism, and every "handle_" one as a hook.

    def __init__(self, settings, recorder, mechanisms):
        self.settings = settings
        self.recorder = recorder
        self.mechanisms = mechanisms

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname  # the 5-argument hook must set it itself
        self.recorder.record("ehlo", server.conn_id, hostname=hostname)
        if not self.mechanisms:
            responses = [line for line in responses if not line.startswith("250-AUTH")]
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        self.recorder.record("helo", server.conn_id, hostname=hostname)
        return f"250 {server.hostname}"

    def handle_STARTTLS(self, server, session, envelope):
        # Called (synchronously) once the TLS handshake after STARTTLS has completed.
        self.recorder.record("tls", server.conn_id, how="starttls")
        return True

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if address.lower() in self.settings.rejected_senders:
            reply = self.settings.args.reject_sender_reply
            self.recorder.record("mail_from", server.conn_id, address=address, options=mail_options,
                                 accepted=False, reply=reply)
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        self.recorder.record("mail_from", server.conn_id, address=address, options=mail_options,
                             accepted=True)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.settings.rejected_rcpts:
            reply = self.settings.args.reject_rcpt_reply
            self.recorder.record("rcpt_to", server.conn_id, address=address, options=rcpt_options,
                                 accepted=False, reply=reply)
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        self.recorder.record("rcpt_to", server.conn_id, address=address, options=rcpt_options,
                             accepted=True)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or b""
        self.recorder.record(
            "data", server.conn_id,
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            size=len(raw),
            data_b64=base64.b64encode(raw).decode("ascii"),
        )
        return "250 OK"

    async def handle_RSET(self, server, session, envelope):
        self.recorder.record("rset", server.conn_id)
        return "250 OK"

    async def handle_NOOP(self, server, session, envelope, arg):
        self.recorder.record("noop", server.conn_id)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        self.recorder.record("quit", server.conn_id)
        return "221 Bye"

    def check_basic(self, server, session, envelope, mechanism, auth_data):
        # aiosmtpd "authenticator" for its built-in PLAIN and LOGIN.
        basic, _, fail_reply = self.settings.current()
        login, password = text_of(auth_data.login), text_of(auth_data.password)
        success = (login, password) in basic
        self.recorder.record("auth", server.conn_id, mechanism=mechanism, login=login,
                             password=password, success=success)
        if success:
            return AuthResult(success=True, auth_data=auth_data)
        # handled=False: aiosmtpd sends message (or its default 535) itself.
        return AuthResult(success=False, handled=False, message=fail_reply)

    async def auth_XOAUTH2(self, server, args):
        if len(args) == 1:
            blob = await server.challenge_auth("")
            if blob is MISSING:
                self.recorder.record("auth", server.conn_id, mechanism="XOAUTH2", success=False,
                                     aborted=True)
                return AuthResult(success=False, handled=True)
        else:
            try:
                blob = base64.b64decode(args[1].encode("ascii"), validate=True)
            except (ValueError, UnicodeEncodeError):
                self.recorder.record("auth", server.conn_id, mechanism="XOAUTH2", success=False,
                                     error="bad base64")
                await server.push("501 5.5.2 Can't decode base64")
                return AuthResult(success=False, handled=True)

        sasl = text_of(blob)
        user = token = None
        for part in sasl.split("\x01"):
            if part.startswith("user="):
                user = part[len("user="):]
            elif part.startswith("auth="):
                value = part[len("auth="):]
                if value[:7].lower() == "bearer ":
                    token = value[7:]
        well_formed = sasl.endswith("\x01\x01") and user is not None and token is not None
        _, accepted, fail_reply = self.settings.current()
        success = well_formed and (user, token) in accepted
        self.recorder.record("auth", server.conn_id, mechanism="XOAUTH2", user=user, token=token,
                             sasl=sasl, well_formed=well_formed, success=success)
        if success:
            return AuthResult(success=True, auth_data=user)

        # XOAUTH2 failure as the big providers do it: a 334 with a base64 JSON error,
        # then the client answers with an empty line, then the final failure reply.
        answer = await server.challenge_auth(self.settings.args.xoauth2_error_json)
        if answer is MISSING:  # client sent "*" (aiosmtpd has already answered 501)
            return AuthResult(success=False, handled=True)
        # handled=False makes aiosmtpd send the reply; handled=True would send nothing
        # and leave the client waiting.
        return AuthResult(success=False, handled=False, message=fail_reply)


class PeerSMTP(SMTP):
    recorder = None
    next_conn = 0
    live = set()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conn_id = 0
        self._in_data = False

    def connection_made(self, transport):
        starting = self.transport is None
        super().connection_made(transport)
        if starting:
            PeerSMTP.next_conn += 1
            self.conn_id = PeerSMTP.next_conn
            PeerSMTP.live.add(self)
            peer = transport.get_extra_info("peername")
            tls = transport.get_extra_info("ssl_object") is not None
            self.recorder.record("connect", self.conn_id, peer=f"{peer[0]}:{peer[1]}" if peer else None,
                                 tls=tls)

    def connection_lost(self, error):
        PeerSMTP.live.discard(self)
        self.recorder.record("disconnect", self.conn_id, error=str(error) if error else None)
        super().connection_lost(error)

    def _client_connected_cb(self, reader, writer):
        super()._client_connected_cb(reader, writer)
        # Record every line the client sends outside DATA (commands and AUTH
        # continuation lines) by switching the reader to a recording subclass.
        try:
            reader.__class__ = _RecordingReader
            reader.peer_owner = self
        except TypeError:
            pass

    def client_line(self, line):
        if not self._in_data:
            self.recorder.record("client", self.conn_id, line=text_of(line.rstrip(b"\r\n")))

    async def push(self, status):
        text = status if isinstance(status, str) else text_of(status)
        if text.startswith("354"):
            self._in_data = True
        elif self._in_data:
            self._in_data = False
        self.recorder.record("server", self.conn_id, line=text)
        await super().push(status)


class _RecordingReader(asyncio.StreamReader):
    async def readuntil(self, separator=b"\n"):
        line = await super().readuntil(separator)
        owner = getattr(self, "peer_owner", None)
        if owner is not None:
            owner.client_line(line)
        return line


class HangProtocol(asyncio.Protocol):
    # Accepts the TCP connection and never says anything (no 220 greeting).
    recorder = None
    live = set()

    def connection_made(self, transport):
        PeerSMTP.next_conn += 1
        self.conn_id = PeerSMTP.next_conn
        self.transport = transport
        HangProtocol.live.add(self)
        peer = transport.get_extra_info("peername")
        self.recorder.record("connect", self.conn_id, peer=f"{peer[0]}:{peer[1]}" if peer else None,
                             tls=transport.get_extra_info("ssl_object") is not None, hang=True)

    def data_received(self, data):
        self.recorder.record("client_bytes", self.conn_id, data=text_of(data))

    def connection_lost(self, error):
        HangProtocol.live.discard(self)
        self.recorder.record("disconnect", self.conn_id, error=str(error) if error else None)


def build_parser():
    p = argparse.ArgumentParser(description="SMTP test peer that records the conversation.")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on stdout)")
    p.add_argument("--hostname", default="localhost", help="name in the greeting and EHLO reply")
    p.add_argument("--tls", choices=["none", "starttls", "implicit"], default="none")
    p.add_argument("--cert", help="PEM certificate (chain) file, for --tls starttls|implicit")
    p.add_argument("--key", help="PEM private key file, for --tls starttls|implicit")
    p.add_argument("--require-starttls", action="store_true",
                   help="refuse everything but EHLO/NOOP/QUIT/STARTTLS before STARTTLS (530)")
    p.add_argument("--auth-require-tls", action="store_true",
                   help="advertise/allow AUTH only after STARTTLS (otherwise 538)")
    p.add_argument("--auth", default="PLAIN,LOGIN,XOAUTH2",
                   help="comma-separated mechanisms to offer (PLAIN, LOGIN, XOAUTH2) or 'none'")
    p.add_argument("--require-auth", action="store_true",
                   help="refuse MAIL/RCPT/DATA with 530 until AUTH succeeded")
    p.add_argument("--accept-basic", action="append", metavar="LOGIN:PASSWORD",
                   type=lambda t: parse_pair(t, "--accept-basic"))
    p.add_argument("--accept-xoauth2", action="append", metavar="USER:TOKEN",
                   type=lambda t: parse_pair(t, "--accept-xoauth2"))
    p.add_argument("--credentials-file", metavar="FILE",
                   help='JSON re-read on every AUTH: {"basic":[{"login":..,"password":..}],'
                        ' "xoauth2":[{"user":..,"token":..}], "auth_fail_reply":["535 ..."]}')
    p.add_argument("--auth-fail-reply", action="append", metavar="LINE",
                   help="reply when AUTH fails; repeat for a multi-line reply (default 535 5.7.8)")
    p.add_argument("--xoauth2-error-json", default=json.dumps(XOAUTH2_DEFAULT_ERROR, separators=(",", ":")),
                   help="JSON sent base64-encoded in the 334 after a failed XOAUTH2")
    p.add_argument("--reject-rcpt", action="append", metavar="ADDRESS",
                   help="answer RCPT TO for this address with --reject-rcpt-reply")
    p.add_argument("--reject-rcpt-reply", default="550 5.1.1 Recipient address rejected: User unknown")
    p.add_argument("--reject-sender", action="append", metavar="ADDRESS",
                   help="answer MAIL FROM for this address with --reject-sender-reply")
    p.add_argument("--reject-sender-reply",
                   default="550 5.7.60 SMTP; Client does not have permissions to send as this sender")
    p.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8")
    p.add_argument("--max-line-length", type=int, default=8192,
                   help="longest command line accepted (long OAuth tokens need more than 1000)")
    p.add_argument("--hang-after-connect", action="store_true",
                   help="accept TCP connections but never send the greeting")
    p.add_argument("--log", metavar="FILE", help="append events here as JSON lines")
    p.add_argument("--exit-on-stdin-eof", action="store_true",
                   help="stop when stdin is closed (so the peer never outlives its parent)")
    p.add_argument("--verbose", action="store_true", help="aiosmtpd debug logging on stderr")
    return p


def make_tls_context(args):
    if not args.cert or not args.key:
        raise SystemExit("--tls starttls|implicit needs --cert and --key")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    return context


async def serve(args):
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not args.verbose:
        # aiosmtpd warns about its own deprecated Session.login_data on every AUTH.
        logging.getLogger("mail.log").setLevel(logging.ERROR)
    recorder = Recorder(args.log)
    settings = Settings(args)
    loop = asyncio.get_running_loop()

    mechanisms = [] if args.auth.strip().lower() in ("", "none") else [
        m.strip().upper() for m in args.auth.split(",") if m.strip()]
    unknown = set(mechanisms) - {"PLAIN", "LOGIN", "XOAUTH2"}
    if unknown:
        raise SystemExit(f"unknown --auth mechanism(s): {', '.join(sorted(unknown))}")
    excluded = [m for m in ("PLAIN", "LOGIN", "XOAUTH2") if m not in mechanisms]

    # aiosmtpd's defaults (1001-byte lines, 512-byte commands) refuse realistic OAuth tokens.
    limit = max(args.max_line_length, 1001)
    PeerSMTP.line_length_limit = limit
    PeerSMTP.command_size_limit = limit
    PeerSMTP.command_size_limits = collections.defaultdict(lambda: limit)
    PeerSMTP.recorder = recorder
    HangProtocol.recorder = recorder

    tls_context = make_tls_context(args) if args.tls != "none" else None
    handler = Handler(settings, recorder, mechanisms)

    if args.hang_after_connect:
        def factory():
            return HangProtocol()
    else:
        def factory():
            return PeerSMTP(
                handler,
                hostname=args.hostname,
                tls_context=tls_context if args.tls == "starttls" else None,
                require_starttls=args.require_starttls,
                # Implicit TLS: aiosmtpd only counts STARTTLS as "TLS", so it would refuse
                # AUTH on an SSL-on-connect socket unless this is off.
                auth_require_tls=args.auth_require_tls and args.tls == "starttls",
                auth_required=args.require_auth,
                auth_exclude_mechanism=excluded,
                authenticator=handler.check_basic,
                enable_SMTPUTF8=args.smtputf8,
                loop=loop,
            )

    server = await loop.create_server(
        factory, host=args.host, port=args.port,
        ssl=tls_context if args.tls == "implicit" else None,
    )
    port = server.sockets[0].getsockname()[1]
    recorder.record("listening", 0, host=args.host, port=port, tls=args.tls,
                    mechanisms=mechanisms, hang=args.hang_after_connect)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        def watch_stdin():
            # os.read on the raw descriptor: a daemon thread blocked in the buffered
            # sys.stdin at interpreter exit aborts Python ("_enter_buffered_busy").
            try:
                while os.read(sys.stdin.fileno(), 4096):
                    pass
            except (OSError, ValueError):
                pass
            loop.call_soon_threadsafe(stop.set)
        threading.Thread(target=watch_stdin, daemon=True).start()

    print(json.dumps({"port": port, "pid": os.getpid()}), flush=True)
    await stop.wait()

    server.close()
    for protocol in list(PeerSMTP.live) + list(HangProtocol.live):
        if protocol.transport is not None:
            protocol.transport.close()
    await asyncio.sleep(0.02)
    recorder.record("stopped", 0)
    recorder.close()


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        normalise_reply(args.auth_fail_reply)
    except ValueError as error:
        raise SystemExit(str(error))
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""";
}
