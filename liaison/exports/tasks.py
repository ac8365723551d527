from django.tasks import task


@task
def run_export_job(code: str) -> int:
    """The worker's side of an export job: writes its file (liaison.exports.services.run_export)."""
    from .services import run_export

    return run_export(code=code)
