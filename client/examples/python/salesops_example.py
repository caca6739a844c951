#!/usr/bin/env python3
"""An internal service's first calls to salesopsd, in Python (docs/CLIENTS.md).

It identifies a lead with a request_id and retries the same request (the same
reply comes back and nothing is appended), moves the lead on with
expected_version, handles a version conflict by re-reading, reads the lead,
a view (waiting for its own write with min_position) and the lead's history,
and follows the lead's stream with Audit.Subscribe, resuming after a
reconnect from the last position it processed.

The member behind --token (or behind the client certificate, over mutual
TLS) needs the roles SALES_REP and BD_MANAGER (docs/ROLES.md).

Stubs: generated at build time into the build tree (never committed):

    PYTHONPATH=build/client/examples/python/gen /usr/bin/python3 \\
        client/examples/python/salesops_example.py --server=127.0.0.1:50051 --token=$SALESOPS_TOKEN

Debian's python3-grpcio and python3-protobuf belong to /usr/bin/python3.
Exit status: 0 when every step did what the API promises, 1 otherwise.
"""

import argparse
import os
import random
import sys
import threading
import time
import uuid
from decimal import Decimal

import grpc
from google.protobuf import text_format

from salesops.v1 import audit_pb2, audit_pb2_grpc
from salesops.v1 import common_pb2
from salesops.v1 import leads_pb2, leads_pb2_grpc
from salesops.v1 import views_pb2, views_pb2_grpc

# Every unary call carries a deadline; Audit.Subscribe carries none (it
# never ends by itself).
CALL_TIMEOUT_SECONDS = 10.0

# Codes after which the same command, with the same request_id, may be sent
# again: the server either wrote nothing (UNAVAILABLE, RESOURCE_EXHAUSTED) or
# the outcome is unknown (DEADLINE_EXCEEDED), and a request_id it already
# committed answers with the original reply. ABORTED is not among them: the
# lead moved on, so re-read it and decide again (docs/API.md, "Errors").
RETRYABLE = frozenset({
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.DEADLINE_EXCEEDED,
})

# The google.rpc error details a program acts on (google/rpc/error_details.proto).
DETAIL_TYPES = ("ErrorInfo", "BadRequest", "PreconditionFailure", "RetryInfo", "ResourceInfo")

# Digits after the decimal point of a few ISO 4217 currencies; most have 2.
MINOR_DIGITS = {"JPY": 0, "KRW": 0, "VND": 0, "BHD": 3, "KWD": 3, "OMR": 3}


class ExampleFailed(Exception):
    """The server answered something the API does not promise."""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server", default=os.environ.get("SALESOPS_SERVER", "127.0.0.1:50051"),
                   help="HOST:PORT of salesopsd (env SALESOPS_SERVER)")
    p.add_argument("--token", default=os.environ.get("SALESOPS_TOKEN", ""),
                   help="bearer token (env SALESOPS_TOKEN); may be empty over mutual TLS")
    p.add_argument("--tls", action="store_true", help="TLS, verifying the server against the system's CAs")
    p.add_argument("--tls-ca", help="TLS, verifying the server against the CAs in this PEM file")
    p.add_argument("--tls-cert", help="client certificate (PEM) for mutual TLS")
    p.add_argument("--tls-key", help="the client certificate's key (PEM)")
    p.add_argument("--tls-server-name", help="the name the server's certificate carries, if not the host")
    p.add_argument("--lead-id", default="py-" + uuid.uuid4().hex[:12], help="the lead to create")
    return p.parse_args(argv)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def make_channel(args):
    """A channel to --server: plaintext, TLS or mutual TLS."""
    if not (args.tls or args.tls_ca or args.tls_cert):
        return grpc.insecure_channel(args.server), "plaintext"
    if bool(args.tls_cert) != bool(args.tls_key):
        raise SystemExit("--tls-cert and --tls-key go together")
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read_file(args.tls_ca) if args.tls_ca else None,  # None: the system's CAs
        private_key=read_file(args.tls_key) if args.tls_key else None,
        certificate_chain=read_file(args.tls_cert) if args.tls_cert else None)
    options = []
    if args.tls_server_name:
        options.append(("grpc.ssl_target_name_override", args.tls_server_name))
    mode = "mutual TLS" if args.tls_cert else "TLS"
    return grpc.secure_channel(args.server, credentials, options=options), mode


def stage_name(stage):
    return common_pb2.Stage.Name(stage)


def money_text(money):
    """Money is an integer of minor units (fen, cents) and a currency code."""
    digits = MINOR_DIGITS.get(money.currency, 2)
    amount = Decimal(money.amount_minor).scaleb(-digits)
    return f"{amount:,.{digits}f} {money.currency}"


def print_error(what, err):
    """Prints a failed call's code, message and structured details, if any."""
    print(f"{what}: {err.code().name}: {err.details()}")
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            print_status_details(value)


def print_status_details(data):
    """`grpc-status-details-bin` holds a serialized google.rpc.Status.

    Its messages come from google/rpc/status.proto and error_details.proto;
    without their stubs the example only says how many bytes arrived.
    """
    try:
        from google.rpc import status_pb2
    except ImportError:
        print(f"  details: {len(data)} bytes of google.rpc.Status (no stubs of google/rpc/status.proto)")
        return
    try:
        from google.rpc import error_details_pb2
        known = [getattr(error_details_pb2, name) for name in DETAIL_TYPES if hasattr(error_details_pb2, name)]
    except ImportError:
        known = []
    status = status_pb2.Status.FromString(data)
    for detail in status.details:  # each a google.protobuf.Any: a type URL and the message's bytes
        for cls in known:
            if detail.Is(cls.DESCRIPTOR):
                message = cls()
                detail.Unpack(message)
                print(f"  {detail.TypeName()}: {text_format.MessageToString(message, as_one_line=True, as_utf8=True)}")
                break
        else:
            print(f"  {detail.TypeName()}: {len(detail.value)} bytes")


def command(method, request, metadata, attempts=5):
    """Sends a command, retrying on RETRYABLE codes with the same request_id."""
    if not request.options.request_id:
        raise ValueError("a command is retried only with options.request_id set")
    delay = 0.1
    for attempt in range(1, attempts + 1):
        try:
            # wait_for_ready: while the channel (re)connects, wait within the
            # deadline rather than fail at once with UNAVAILABLE.
            return method(request, timeout=CALL_TIMEOUT_SECONDS, metadata=metadata, wait_for_ready=True)
        except grpc.RpcError as err:
            if err.code() not in RETRYABLE or attempt == attempts:
                raise
            print(f"  {err.code().name} ({err.details()}); retrying the same request")
            time.sleep(delay * random.uniform(0.5, 1.5))  # back off, with jitter
            delay = min(delay * 2, 5.0)
    raise AssertionError("unreachable")


def reply_text(reply):
    return (f"lead {reply.lead_id} version {reply.version} position {reply.position} "
            f"stage {stage_name(reply.stage)}")


class Follower:
    """Reads one Audit.Subscribe stream on this thread.

    The stream has no deadline. `read_until_caught_up` returns at the
    CaughtUp marker; a watchdog cancels the stream if none comes within
    `patience` seconds, so this example always ends.
    """

    def __init__(self, audit, metadata, stream_id, from_position, patience=30.0):
        request = audit_pb2.SubscribeRequest(from_position=from_position, stream_id=stream_id,
                                             checkpoint_seconds=5)
        self.call = audit.Subscribe(request, metadata=metadata)  # no timeout: the stream is open-ended
        self.watchdog = threading.Timer(patience, self.call.cancel)
        self.watchdog.start()
        self.last_position = from_position - 1  # the last position processed
        self.events = []

    def read_until_caught_up(self):
        for message in self.call:
            kind = message.WhichOneof("message")
            if kind == "event":
                self.process([message.event])
            elif kind == "events":
                self.process(message.events.events)
            elif kind == "checkpoint":
                self.last_position = message.checkpoint.position
            elif kind == "caught_up":
                self.last_position = message.caught_up.position
                return
        raise ExampleFailed("the subscription ended before it caught up")

    def process(self, envelopes):
        for e in envelopes:
            if e.position <= self.last_position:
                raise ExampleFailed(f"position {e.position} delivered twice")
            self.events.append(e)
            self.last_position = e.position  # resume from last_position + 1

    def close(self):
        self.watchdog.cancel()
        self.call.cancel()  # the server sees CANCELLED and releases the stream


def run(args):
    channel, mode = make_channel(args)
    # Fail fast with a clear message when nothing listens there.
    try:
        grpc.channel_ready_future(channel).result(timeout=CALL_TIMEOUT_SECONDS)
    except grpc.FutureTimeoutError:
        raise ExampleFailed(f"cannot connect to {args.server} over {mode}")
    print(f"connected to {args.server} over {mode}")

    # The token goes in every call's metadata; without one (mutual TLS) the
    # client certificate stands for the member.
    metadata = (("authorization", f"Bearer {args.token}"),) if args.token else ()
    leads = leads_pb2_grpc.LeadsStub(channel)
    audit = audit_pb2_grpc.AuditStub(channel)
    views = views_pb2_grpc.ViewsStub(channel)
    lead_id = args.lead_id

    # 1. Identify a lead. The request_id makes the command idempotent: the
    # retry below gets the original reply and appends nothing.
    identify = leads_pb2.IdentifyLeadRequest(
        options=leads_pb2.CommandOptions(request_id=f"example-identify-{lead_id}"),
        lead_id=lead_id,
        company="北京星辰科技有限公司",
        contact=common_pb2.Contact(name="王芳", email="wang.fang@example.com"),
        source=common_pb2.LEAD_SOURCE_REFERRAL,
        estimated_value=common_pb2.Money(amount_minor=12_000_000, currency="CNY"))  # 120,000.00 CNY
    first = command(leads.IdentifyLead, identify, metadata)
    print(f"identify-lead: {reply_text(first)}")
    again = command(leads.IdentifyLead, identify, metadata)
    print(f"identify-lead again, same request_id: {reply_text(again)}")
    if again != first:
        raise ExampleFailed("a retry with the same request_id got a different reply")
    print("  the same reply: nothing was appended")

    # 2. Read it. Reads need no request_id; they still carry a deadline.
    lead = leads.GetLead(leads_pb2.GetLeadRequest(lead_id=lead_id), timeout=CALL_TIMEOUT_SECONDS,
                         metadata=metadata)
    entered = lead.stage_entered_at.ToDatetime().isoformat(timespec="seconds") + "Z"
    print(f"get-lead: {lead.company} · {lead.contact.name} · {stage_name(lead.stage)} · version {lead.version} · "
          f"estimated {money_text(lead.estimated_value)} · in stage since {entered}")

    # 3. Move it on, decided against the version just read.
    qualify = leads_pb2.QualifyLeadRequest(
        options=leads_pb2.CommandOptions(request_id=f"example-qualify-{lead_id}",
                                         expected_version=lead.version),
        lead_id=lead_id, score=80, need="新的客户管理系统")
    qualified = command(leads.QualifyLead, qualify, metadata)
    print(f"qualify-lead (expected_version {lead.version}): {reply_text(qualified)}")

    # 4. A command decided against a stale read is ABORTED: re-read, decide
    # again (here: the same move), with a new request_id for the new decision.
    stale = leads_pb2.RecordNeedsRequest(
        options=leads_pb2.CommandOptions(request_id=f"example-needs-{lead_id}-1",
                                         expected_version=lead.version),
        lead_id=lead_id, requirements="两百个席位，本地部署")
    try:
        command(leads.RecordNeeds, stale, metadata)
        raise ExampleFailed("a stale expected_version was accepted")
    except grpc.RpcError as err:
        print_error(f"record-needs (stale expected_version {lead.version})", err)
        if err.code() != grpc.StatusCode.ABORTED:
            raise
    lead = leads.GetLead(leads_pb2.GetLeadRequest(lead_id=lead_id), timeout=CALL_TIMEOUT_SECONDS,
                         metadata=metadata)
    fresh = leads_pb2.RecordNeedsRequest()
    fresh.CopyFrom(stale)
    fresh.options.request_id = f"example-needs-{lead_id}-2"
    fresh.options.expected_version = lead.version
    needs = command(leads.RecordNeeds, fresh, metadata)
    print(f"record-needs after re-reading (expected_version {lead.version}): {reply_text(needs)}")

    # 5. A view that reflects our own write: min_position waits (within the
    # deadline) until the views have applied it. Pages are followed by token.
    found, view_position, page_token = False, 0, ""
    while True:
        page = views.ListLeads(
            views_pb2.ListLeadsRequest(view=views_pb2.ViewOptions(min_position=needs.position),
                                       stage=common_pb2.STAGE_NEEDS_ANALYZED, owner=lead.owner,
                                       page_size=500, page_token=page_token),
            timeout=CALL_TIMEOUT_SECONDS, metadata=metadata)
        found = found or any(row.lead_id == lead_id for row in page.leads)
        view_position = page.view.position
        page_token = page.next_page_token
        if found or not page_token:
            break
    print(f"list-leads (min_position {needs.position}): view at position {view_position}, "
          f"{lead_id} {'listed' if found else 'missing'} in NEEDS_ANALYZED")
    if not found or view_position < needs.position:
        raise ExampleFailed("the view does not reflect our write")

    # 6. The lead's history: every event, who acted, in which role.
    history = audit.GetLeadHistory(audit_pb2.GetLeadHistoryRequest(lead_id=lead_id),
                                   timeout=CALL_TIMEOUT_SECONDS, metadata=metadata)
    print(f"history of {lead_id}:")
    for e in history.entries:
        move = ""
        if e.to_stage:
            move = f" {stage_name(e.from_stage)} → {stage_name(e.to_stage)}"
        print(f"  v{e.version} @{e.position} {e.action}{move} by {e.actor} "
              f"({common_pb2.Role.Name(e.actor_role)}) request_id={e.request_id or '-'}")

    # 7. Follow the lead's stream from its first event until caught up, then
    # drop the stream as a crash would; meanwhile the lead moves on; resume
    # from the last processed position + 1: nothing is missed or repeated.
    stream_id = f"lead-{lead_id}"
    start = history.entries[0].position
    follower = Follower(audit, metadata, stream_id, from_position=start)
    try:
        follower.read_until_caught_up()
    finally:
        follower.close()
    resume_at = follower.last_position + 1
    print(f"subscribe {stream_id} from position {start}: {len(follower.events)} events, "
          f"caught up at position {follower.last_position}")
    if [e.position for e in follower.events] != [e.position for e in history.entries]:
        raise ExampleFailed("the subscription and the history disagree")

    propose = leads_pb2.ProposeSolutionRequest(
        options=leads_pb2.CommandOptions(request_id=f"example-propose-{lead_id}",
                                         expected_version=needs.version),
        lead_id=lead_id, summary="企业版 + 实施", products=["企业版"],
        value=common_pb2.Money(amount_minor=11_000_000, currency="CNY"))
    proposed = command(leads.ProposeSolution, propose, metadata)
    print(f"propose-solution: {reply_text(proposed)}")

    resumed = Follower(audit, metadata, stream_id, from_position=resume_at)
    try:
        resumed.read_until_caught_up()
    finally:
        resumed.close()
    kinds = ", ".join(f"{e.event_type}@{e.position}" for e in resumed.events)
    print(f"resume {stream_id} from position {resume_at}: {len(resumed.events)} new event(s) ({kinds}), "
          f"caught up at position {resumed.last_position}")
    if not resumed.events or resumed.events[-1].position != proposed.position:
        raise ExampleFailed("the resumed subscription did not deliver the new events")
    if any(e.position < resume_at for e in resumed.events):
        raise ExampleFailed("the resumed subscription repeated an event")

    channel.close()
    print("done")


def main(argv):
    args = parse_args(argv)
    try:
        run(args)
    except grpc.RpcError as err:
        print_error("call failed", err)
        return 1
    except ExampleFailed as failure:
        print(f"failed: {failure}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
