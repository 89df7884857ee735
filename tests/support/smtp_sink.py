"""An aiosmtpd handler for the test suite: every message the SMTP server accepts is parsed and
appended as one JSON line (recipients, decoded subject, Message-ID, plain-text body) to the file
named on the command line, so the Rust tests can read what a mail client would show.

Run by tests/common/smtp.rs as:
    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_sink.JsonLines OUT.jsonl
"""

import email
import email.policy
import json
import os


class JsonLines:
    def __init__(self, path):
        self.path = path

    @classmethod
    def from_cli(cls, parser, *args):
        # aiosmtpd hands the CLASSARGS to this hook.
        if len(args) != 1:
            parser.error("smtp_sink.JsonLines takes one argument: the output file")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "to": str(msg["to"]),
            "from": str(msg["from"]),
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "body": body.get_content() if body is not None else "",
        }
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())
        return "250 Message accepted for delivery"
