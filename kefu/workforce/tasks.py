"""Background work of the workforce app: a thin wrapper around the service (forecasts, plans and rosters can take
tens of seconds of solver time)."""

from django_tasks import task


@task()
def run_solver_job(job_id: int) -> None:
    from .services import solver_job_run

    solver_job_run(job_id)
