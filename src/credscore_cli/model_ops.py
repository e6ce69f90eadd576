"""`credscore model …`: the model-operations actions against a deployed stack or the local stack.

    credscore model export --out FILE.csv [--with-unlabelled]   training rows (kept model data + outcomes)
    credscore model candidate FILE                             store a candidate configuration (inactive)
    credscore model candidates                                 list stored candidates
    credscore model compare VERSION [--cutoff S]               shadow-score stored applications (Step Functions)
    credscore model promote VERSION                            make a candidate the active configuration
    credscore model monitoring                                 the weekly stability records (PSI)

Every action takes --endpoint-url (e.g. the local stack's AWS endpoint), --region and --stage (resource names
follow template.yaml: credscore-<stage>-applications, /credscore/<stage>/scoring-config, credscore-<stage>-shadow).
`register_model_ops(subparsers)` adds them to the `model` group, whichever module creates that group.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any, TextIO

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--endpoint-url", help="AWS endpoint (e.g. a local stack's)")
    parser.add_argument("--region", help="AWS region (default: from the environment)")
    parser.add_argument("--stage", default="dev", help="the stack's Stage parameter (default: dev)")


def register_model_ops(model_sub: Any) -> None:
    """Add export, candidate, candidates, compare, promote and monitoring to a `model` subparsers group."""
    export = model_sub.add_parser("export", help="write training rows (features and outcomes) as CSV")
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    export.add_argument(
        "--with-unlabelled", action="store_true", help="also applications without a reported outcome"
    )
    _common(export)
    export.set_defaults(handler=partial(_guarded, cmd_export))

    candidate = model_sub.add_parser(
        "candidate", help="validate and store a candidate configuration (inactive)"
    )
    candidate.add_argument("file", type=Path)
    _common(candidate)
    candidate.set_defaults(handler=partial(_guarded, cmd_candidate))

    candidates = model_sub.add_parser("candidates", help="list the stored candidate configurations")
    _common(candidates)
    candidates.set_defaults(handler=partial(_guarded, cmd_candidates))

    compare = model_sub.add_parser(
        "compare", help="shadow-score the stored applications under a candidate and report what changes"
    )
    compare.add_argument("version", help="the candidate's version label")
    compare.add_argument(
        "--cutoff", type=float, help="approve at or above this score (default: active median)"
    )
    compare.add_argument(
        "--candidate-cutoff", type=float, help="the candidate's cut-off when its scale differs"
    )
    compare.add_argument("--segments", type=int, default=4, help="parallel scan segments (Map items)")
    compare.add_argument("--page-size", type=int, default=1000, help="applications per page")
    compare.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait for the job")
    compare.add_argument("--json", action="store_true", help="print the whole report as JSON")
    compare.add_argument("--out", type=Path, help="also write the report (JSON) here")
    _common(compare)
    compare.set_defaults(handler=partial(_guarded, cmd_compare))

    promote = model_sub.add_parser("promote", help="make a candidate the active scoring configuration")
    promote.add_argument("version", help="the candidate's version label")
    promote.add_argument(
        "--compared",
        type=int,
        metavar="N",
        help="the candidate parameter's version the comparison scored (its report says it): refuse to promote "
        "anything else",
    )
    _common(promote)
    promote.set_defaults(handler=partial(_guarded, cmd_promote))

    monitoring = model_sub.add_parser("monitoring", help="the weekly stability records (PSI)")
    monitoring.add_argument("--json", action="store_true")
    _common(monitoring)
    monitoring.set_defaults(handler=partial(_guarded, cmd_monitoring))


# ------------------------------------------------------------------------------------------------ plumbing
def _client(args: argparse.Namespace, service: str) -> Any:
    import boto3
    from botocore.config import Config

    from credscore_cli.endpoints import client_options

    kwargs: dict[str, Any] = {"config": Config(signature_version="s3v4")} if service == "s3" else {}
    return boto3.client(service, **kwargs, **client_options(args.endpoint_url, args.region))


def _table(args: argparse.Namespace) -> Any:
    import boto3

    from credscore_cli.endpoints import client_options

    options = client_options(args.endpoint_url, args.region)
    return boto3.resource("dynamodb", **options).Table(f"credscore-{args.stage}-applications")


def _parameter(args: argparse.Namespace) -> str:
    return f"/credscore/{args.stage}/scoring-config"


# ------------------------------------------------------------------------------------------------ actions
def cmd_export(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from credscore_aws.logic.outcomes import scan_training_items, training_rows, write_training_csv

    rows = training_rows(scan_training_items(_table(args)), with_unlabelled=args.with_unlabelled)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8", newline="") as handle:
        write_training_csv(rows, handle)
    labelled = sum(1 for r in rows if r["outcome"])
    out.write(f"wrote {len(rows)} rows ({labelled} with an outcome) to {args.out}\n")
    return EXIT_OK


def cmd_candidate(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from credscore.scoring.config import InvalidConfig
    from credscore_aws.logic.candidates import CandidateStore

    try:
        name, config = CandidateStore(_client(args, "ssm"), _parameter(args)).put(
            args.file.read_text(encoding="utf-8")
        )
    except InvalidConfig as exc:
        sys.stderr.write(f"{args.file} is not a valid scoring configuration:\n")
        sys.stderr.writelines(f"  - {p}\n" for p in exc.problems)
        return EXIT_INVALID
    out.write(f"stored candidate {config.version!r} as {name} (not active; compare, then promote)\n")
    return EXIT_OK


def cmd_candidates(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from credscore_aws.logic.candidates import CandidateStore

    for label in CandidateStore(_client(args, "ssm"), _parameter(args)).labels():
        out.write(label + "\n")
    return EXIT_OK


def shadow_state_machine(sfn: Any, stage: str) -> str:
    name = f"credscore-{stage}-shadow"
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                return str(machine["stateMachineArn"])
    raise LookupError(f"no state machine {name}: is the stack (stage {stage!r}) deployed?")


def run_compare(args: argparse.Namespace) -> dict[str, Any]:
    """Start the shadow job for the candidate, wait for it, and return its report (raises on failure)."""
    from credscore_aws.logic.candidates import CandidateStore, check_label

    label = check_label(args.version)
    CandidateStore(_client(args, "ssm"), _parameter(args)).get(
        label
    )  # a clear error before starting anything
    sfn = _client(args, "stepfunctions")
    arn = shadow_state_machine(sfn, args.stage)
    name = f"compare-{label}-{int(time.time() * 1000)}"[-80:]
    execution = sfn.start_execution(
        stateMachineArn=arn,
        name=name,
        input=json.dumps(
            {
                "candidate": label,
                "segments": args.segments,
                "page_size": args.page_size,
                "cutoff": args.cutoff,
                "candidate_cutoff": args.candidate_cutoff,
            }
        ),
    )["executionArn"]
    deadline = time.monotonic() + args.timeout
    while True:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"the shadow job {name} is still running; see {execution}")
        time.sleep(0.5)
    if described["status"] != "SUCCEEDED":
        raise RuntimeError(
            f"the shadow job {name} {described['status']}: {described.get('error', '')} {described.get('cause', '')}"
        )
    output = json.loads(described["output"])
    body = _client(args, "s3").get_object(Bucket=output["bucket"], Key=output["report_key"])["Body"].read()
    report: dict[str, Any] = json.loads(body)
    return report


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def _version_note(version: int | None) -> str:
    # A job planned before the candidate's version was recorded has none.
    return f" (parameter version {version})" if version is not None else ""


def render_report(report: dict[str, Any]) -> str:
    job = report["job"]
    lines = [
        f"candidate {job['candidate']!r}{_version_note(job.get('candidate_parameter_version'))} "
        f"against the active configuration {job['active_version']!r} "
        f"(parameter version {job['active_parameter_version']}), {report['applications']} applications",
        f"scored: active {report['scored']['active']}, candidate {report['scored']['candidate']}",
    ]
    for side in ("active", "candidate"):
        q = report["scores"][side]
        if q:
            lines.append(
                f"  {side:<9} mean {_fmt(q['mean'])}  p10 {_fmt(q['p10'])}  median {_fmt(q['median'])}  "
                f"p90 {_fmt(q['p90'])}"
            )
    shift = report["score_shift"]
    if shift:
        lines.append(
            f"score shift (candidate - active): mean {shift['mean']:+.1f}, median {shift['median']:+.1f}, "
            f"p10 {shift['p10']:+.1f}, p90 {shift['p90']:+.1f}"
        )
    psi = report["psi"]
    lines.append(f"PSI {psi['value']:.3f} ({psi['reading']}; {psi['bins']})")
    approval = report["approval"]
    lines.append(
        f"approval at {approval['cutoff']:g} ({approval['cutoff_source']}): active {approval['active_rate']:.1%}, "
        f"candidate {approval['candidate_rate']:.1%} (cut-off {approval['candidate_cutoff']:g}), change "
        f"{approval['change']:+.1%}; {approval['swap_in']} newly approved, {approval['swap_out']} newly declined"
    )
    if report["status_changes"]:
        lines.append("status changes: " + ", ".join(f"{k}: {v}" for k, v in report["status_changes"].items()))
    reasons = report["reasons"]
    lines.append(
        f"reasons change for {reasons['applications_whose_reasons_change']} applications (first reason: "
        f"{reasons['applications_whose_first_reason_changes']})"
    )
    for code, counts in reasons["by_code"].items():
        if counts["active"] != counts["candidate"] or counts["active_first"] != counts["candidate_first"]:
            lines.append(
                f"  {code:<24} given to {counts['active']} -> {counts['candidate']}; "
                f"first reason for {counts['active_first']} -> {counts['candidate_first']}"
            )
    return "\n".join(lines) + "\n"


def cmd_compare(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    report = run_compare(args)
    if args.out:
        args.out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    out.write(json.dumps(report, indent=2) + "\n" if args.json else render_report(report))
    return EXIT_OK


def cmd_promote(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from credscore_aws.dal.config_store import ConfigStore
    from credscore_aws.logic.candidates import CandidateStore

    ssm = _client(args, "ssm")
    text, stored = CandidateStore(ssm, _parameter(args)).stored(args.version)
    if args.compared is not None and args.compared != stored:
        raise ValueError(
            f"candidate {args.version!r} was stored again after the comparison (compared parameter version "
            f"{args.compared}, now {stored}): compare it again, or promote without --compared"
        )
    store = ConfigStore(ssm, _parameter(args), ttl_seconds=0)
    previous = store.load_fresh().parameter_version
    version = store.set(text)
    out.write(
        f"candidate {args.version!r} (its parameter version {stored}) is now active as {store.parameter_name} "
        f"version {version} (undo: credscore weights rollback {previous})\n"
    )
    return EXIT_OK


def cmd_monitoring(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    from credscore_aws.logic.monitoring import weeks

    records = weeks(_table(args))
    if args.json:
        out.write(json.dumps(records, indent=2) + "\n")
        return EXIT_OK
    for r in records:
        score_psi = r["score"].get("psi")
        few = r["baseline"]["kind"] == "too_few"
        shown = "not recorded (too few)" if few else "baseline" if score_psi is None else f"{score_psi:.3f}"
        worst = r.get("max_characteristic")
        worst_text = f"; worst characteristic {worst} {r['max_characteristic_psi']:.3f}" if worst else ""
        out.write(f"{r['week']}  {r['applications']:>6} applications  score PSI {shown}{worst_text}\n")
    return EXIT_OK


def _guarded(action: Any, args: argparse.Namespace) -> int:
    """Call the action; AWS, lookup and job errors become a message and exit code 1."""
    try:
        return int(action(args))
    except Exception as exc:  # boto, lookup and job errors: a message, not a traceback, for an administrator
        sys.stderr.write(f"error: {type(exc).__name__}: {exc}\n")
        return EXIT_FAILED
