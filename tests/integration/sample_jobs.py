"""A job used by the job tests: writes an audit row, so its effect can be seen."""

from benefits.accounts.audit import Actor, record_audit


def write_audit(label: str) -> None:
    record_audit(Actor.system("job:test"), "job.ran", "test", label)
