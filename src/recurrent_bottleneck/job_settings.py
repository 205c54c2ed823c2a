"""The settings one 1997 job receives, built from the config's ``long_time_lags`` section.

Shared by the workflow (which passes them to the job) and the device summary (which
compares a run committed from elsewhere with what the paper-scale config would have
passed): the section's shared settings (seeds, cell), the task's own block without its
sweep, and the job's point of the sweep. The adding problem has no distractors.
"""

from __future__ import annotations

# each task's sweep: the config key that lists its lags
LAG_KEYS = {"adding": "lengths", "long_lag": "lags"}


def long_time_lags(section: dict, task: str, model: str, lag: int) -> dict:
    task_settings = {key: value for key, value in section[task].items() if key != LAG_KEYS[task]}
    settings = {
        "seeds": section["seeds"],
        "cell": section["cell"],
        **task_settings,
        "task": task,
        "model": model,
        "lag": int(lag),
    }
    if task == "adding":
        settings.update(distractors=None, max_extra=0)
    return settings
