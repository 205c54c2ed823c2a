#!/usr/bin/env bash
# The workflow on a real SLURM cluster of one node, on this machine:
#
#   sudo workflow/slurm/single-node-test.sh            # as root: installs and starts daemons
#
# 1. installs Debian's SLURM and MUNGE packages if they are missing (apt-get);
# 2. starts a private cluster: munged (as the munge user, with its own key and socket),
#    slurmctld and slurmd, all state under $SLURM_TEST_DIR, on ports of its own; the
#    node has partitions `main` and `gpu` (the profile's) and $SLURM_TEST_GPUS fake GPUs
#    (empty files as devices), so the profile's GPU requests are scheduled as written;
#    /etc/slurm/slurm.conf links to its configuration while it runs (it refuses to
#    start where that file is a cluster's own; the link and daemons of an earlier run
#    that was killed outright are removed first);
# 3. runs the smoke workflow (config/smoke.yaml + workflow/slurm/test-config.yaml) once
#    through `--profile workflow/profiles/slurm` and once locally; while the SLURM run
#    trains, it cancels one training job with scancel as soon as it has written a
#    checkpoint: Snakemake resubmits it and it resumes from that checkpoint; with
#    SLURM_TEST_TARGETS, each run makes only those files (they must include the
#    cancelled latch training) and then the partial report from them
#    (`--config partial_report=True`), so there is still a report to compare;
# 4. compares the two runs' results and reports (workflow/slurm/compare_runs.py: equal
#    but for timings, placements and resumption notes) and checks the resumption;
# 5. stops everything it started (by pid, then whatever still names its folder after
#    10 s), on success or failure.
#
# The only settings given beside the profile are those of this test cluster: no account,
# `squeue` for job status (the cluster keeps no accounting database, so `sacct` cannot
# answer; finished jobs stay in squeue for MinJobAge), the node's CPU count as
# --max-threads, and a short first status check (the smoke jobs take seconds).
#
# Environment: SLURM_TEST_DIR (work folder, wiped at start), SLURM_TEST_CPUS (default:
# nproc), SLURM_TEST_GPUS (default 2), SLURM_TEST_PORT (slurmctld's; slurmd's is +1),
# PYTHON (the interpreter with the workflow's requirements; default python3),
# SLURM_TEST_TARGETS (space-separated files for both runs to make; default: the whole
# smoke workflow).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=${SLURM_TEST_DIR:-${TMPDIR:-/tmp}/recurrent-bottleneck-slurm-test}
# both runs' reports carry the same document date, so they may differ only in timings
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(date +%s)}
cpus=${SLURM_TEST_CPUS:-$(nproc)}
gpus=${SLURM_TEST_GPUS:-2}
port=${SLURM_TEST_PORT:-16817}
python=${PYTHON:-python3}
# the jobs' own `python` is the same interpreter
PATH=$(dirname "$(command -v "$python")"):$PATH
node=$(hostname -s)
configs=(config/smoke.yaml workflow/slurm/test-config.yaml)
read -r -a targets <<<"${SLURM_TEST_TARGETS:-}"
# the training job cancelled mid-run, and the checkpoint folder it writes
cancelled_rule=latch_train
cancelled_wildcards=40  # the values of its wildcards, as in the SLURM job comment
cancelled_checkpoints=results/checkpoints/latch/length_40
cancelled_metrics=results/latch/length_40/metrics.json
cancelled_log=results/logs/latch_train-40.log

say() { echo "[slurm-test $(date +%T)] $*"; }
seconds_since() { echo $(($(date +%s) - $1)); }
# wait_until TRIES PAUSE COMMAND...: runs COMMAND until it succeeds, at most TRIES times
# and PAUSE seconds apart; fails if it never did
wait_until() {
    local tries=$1 pause=$2 try
    shift 2
    for ((try = 1; try <= tries; try++)); do
        "$@" && return 0
        ((try < tries)) && sleep "$pause"
    done
    return 1
}

if [[ $(id -u) != 0 ]]; then
    echo "run as root: the test installs packages and starts the SLURM and MUNGE daemons" >&2
    exit 2
fi

started=$(date +%s)
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# --- the daemons, stopped by pid on any exit -------------------------------------
# The job steps on the node read the default configuration file: the executor's job
# step drops SLURM_CONF from the environment of its srun. A link to this cluster's.
default_conf=/etc/slurm/slurm.conf
pids=()    # the daemons, stopped in reverse order
helpers=() # background loops of this script
no_helper_alive() {
    local helper
    for helper in "${helpers[@]}"; do kill -0 "$helper" 2>/dev/null && return 1; done
    return 0
}
queue_empty() { [[ -z $(squeue --noheader 2>/dev/null) ]]; }
nothing_names_work() { ! pgrep -f -- "$work" >/dev/null; }
stop_cluster() {
    local status=$?
    # Snakemake cancels its SLURM jobs on SIGINT; whatever is left after 10 s is killed
    for helper in "${helpers[@]}"; do kill -INT "$helper" 2>/dev/null || true; done
    wait_until 50 0.2 no_helper_alive || true
    for helper in "${helpers[@]}"; do kill -KILL "$helper" 2>/dev/null || true; done
    if [[ ${#pids[@]} -gt 0 ]]; then
        scancel --quiet --user "$(id -un)" 2>/dev/null || true
        wait_until 50 0.2 queue_empty || true
        for ((index = ${#pids[@]} - 1; index >= 0; index--)); do
            kill "${pids[index]}" 2>/dev/null || true
            wait "${pids[index]}" 2>/dev/null || true
        done
        say "stopped the daemons (pids ${pids[*]})"
        # what they started can outlive them for a moment (slurmctld's script helper, a
        # cancelled job's step): whatever still names the work folder after 10 s is killed
        wait_until 50 0.2 nothing_names_work || true
        local left
        mapfile -t left < <(pgrep -f -- "$work" || true) # pgrep fails when none is left
        if ((${#left[@]})); then
            say "killed what outlived the daemons by 10 s (pids ${left[*]}): $(IFS=,; ps -o pid=,args= -p "${left[*]}" 2>/dev/null | tr '\n' ';')"
            kill -KILL "${left[@]}" 2>/dev/null || true
        fi
    fi
    [[ $(readlink "$default_conf") == "$SLURM_CONF" ]] && rm -f "$default_conf"
    exit "$status"
}

# daemons left by an earlier run of this script that was killed outright (their pids
# are in <its folder>/pids; only processes whose command line names that folder are
# stopped)
stop_leftover_daemons() { # the earlier run's work folder
    [[ -f $1/pids ]] || return 0
    while read -r pid; do
        if grep -qF "$1" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" || true; fi
    done <"$1/pids"
    sleep 1
}
stop_leftover_daemons "$work"
# the configuration link of such a run, possibly with another work folder (a link to
# <folder>/etc/slurm.conf where <folder>/pids exists): its daemons stopped, it is removed
leftover_conf=$(readlink "$default_conf" || true)
if [[ $leftover_conf == */etc/slurm.conf && -f ${leftover_conf%/etc/slurm.conf}/pids ]]; then
    stop_leftover_daemons "${leftover_conf%/etc/slurm.conf}"
    rm -f "$default_conf"
    say "removed $default_conf, left by an earlier run of this test (-> $leftover_conf)"
fi
export SLURM_CONF=$work/etc/slurm.conf
if [[ -e $default_conf ]]; then
    echo "$default_conf exists: this machine has a SLURM configuration of its own" >&2
    exit 2
fi
trap stop_cluster EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work"/{etc,state,spool,log,munge}
chown munge:munge "$work/munge"
chmod 0755 "$work/munge" # munged wants its socket folder open to all
if ! setpriv --reuid munge --regid munge --init-groups test -w "$work/munge"; then
    echo "the munge user cannot reach $work/munge: a folder above it is closed to other" \
        "users (pytest's tmp_path is 0700); set SLURM_TEST_DIR to a folder under /tmp" >&2
    exit 2
fi
mkdir -p "$(dirname "$default_conf")"
ln -sfn "$SLURM_CONF" "$default_conf"

# munged with a key and a socket of its own, as the munge user
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$work/munge/munge.key"
chmod 0400 "$work/munge/munge.key"
socket=$work/munge/munge.socket
setpriv --reuid munge --regid munge --init-groups \
    munged --foreground --socket "$socket" --key-file "$work/munge/munge.key" \
    --pid-file "$work/munge/munged.pid" --seed-file "$work/munge/munged.seed" \
    --log-file "$work/munge/munged.log" --num-threads 10 &
pids+=($!)
echo $! >>"$work/pids"

cat >"$SLURM_CONF" <<EOF
ClusterName=recurrentbottleneck
SlurmctldHost=$node
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/state/slurmctld.pid
SlurmdPidFile=$work/spool/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
# the node as declared here, whatever slurmd finds (memory for the profile's --mem)
SlurmdParameters=config_overrides
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
# finished jobs stay visible to squeue this long (the executor's status queries)
MinJobAge=600
GresTypes=gpu
NodeName=$node CPUs=$cpus RealMemory=32000 Gres=gpu:$gpus State=UNKNOWN
PartitionName=main Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$node MaxTime=INFINITE State=UP
EOF
# fake GPUs: empty files as their devices, so SLURM schedules and counts them
{
    echo AutoDetect=off
    for ((gpu = 0; gpu < gpus; gpu++)); do
        touch "$work/etc/fake-gpu$gpu"
        echo "NodeName=$node Name=gpu File=$work/etc/fake-gpu$gpu"
    done
} >"$work/etc/gres.conf"

wait_until 50 0.1 test -S "$socket" || {
    say "munged did not start"; cat "$work/munge/munged.log"; exit 1
}
slurmctld -D -f "$SLURM_CONF" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" &
pids+=($!)
echo "${pids[@]:1}" | tr ' ' '\n' >>"$work/pids"
node_idle() { sinfo --noheader --states=idle --format=%n 2>/dev/null | grep -qx "$node"; }
wait_until 100 0.2 node_idle || {
    say "the node did not come up"; sinfo; tail -n 20 "$work"/log/*.log; exit 1
}
say "cluster up ($cpus CPUs, $gpus GPUs) after $(seconds_since "$started") s"

# --- the two runs ------------------------------------------------------------------
copy_project() {
    mkdir -p "$1/reports"
    cp -r "$repo"/{Snakefile,workflow,config,src,envs} "$1"/
    cp -r "$repo/reports/template.typ" "$repo/reports/measured" "$1/reports/"
    find "$1" -name __pycache__ -prune -exec rm -rf {} +
}
copy_project "$work/local"
copy_project "$work/cluster"

# cancel the training job once it has saved a checkpoint; prints the SLURM job id.
# It watches for as long as the SLURM run lasts (the run's end kills it): on a loaded
# machine the job can start more than 10 minutes in, which a fixed count of polls missed
checkpointed_job() { # prints the running job's id once its first checkpoint is written
    local job
    compgen -G "$work/cluster/$cancelled_checkpoints/*.npz" >/dev/null || return 1
    job=$(squeue --noheader --states=running --format='%i %k' |
        awk -v c="rule_${cancelled_rule}_wildcards_${cancelled_wildcards}" '$2 == c {print $1}')
    [[ -n $job ]] && echo "$job"
}
cancel_when_checkpointed() {
    local job
    until job=$(checkpointed_job); do sleep 0.1; done
    scancel "$job"
    say "cancelled SLURM job $job ($cancelled_rule $cancelled_wildcards) after $(ls "$work/cluster/$cancelled_checkpoints")" >&2
    echo "$job"
}

# in the background, so that a signal to this script stops it at once (see stop_cluster)
run_snakemake() { # folder, log file, snakemake's arguments
    local folder=$1 log=$2
    shift 2
    (cd "$folder" && exec "$python" -m snakemake --configfile "${configs[@]}" "$@") >"$log" 2>&1 &
    helpers+=($!)
    wait $! || { say "snakemake failed in $folder: $log"; tail -n 40 "$log"; return 1; }
}

# run_workflow FOLDER LOG_NAME ARGUMENTS...: the targets (none: the whole workflow), then,
# where there are targets, the partial report of what they made
run_workflow() {
    local folder=$1 name=$2
    shift 2
    run_snakemake "$folder" "$work/$name.log" "$@" "${targets[@]}"
    if ((${#targets[@]})); then
        say "$name run: the partial report of ${targets[*]}"
        run_snakemake "$folder" "$work/$name-report.log" "$@" --config partial_report=True
    fi
}

say "SLURM run: snakemake --profile workflow/profiles/slurm"
cancel_when_checkpointed >"$work/cancelled-job" &
helpers+=($!)
canceller=$!
cluster_start=$(date +%s)
run_workflow "$work/cluster" cluster --profile workflow/profiles/slurm --slurm-no-account \
    --slurm-status-command squeue --slurm-init-seconds-before-status-checks 2 \
    --max-threads "$cpus"
cluster_seconds=$(seconds_since "$cluster_start")
say "SLURM run done in $cluster_seconds s"
kill "$canceller" 2>/dev/null && { say "no training job was cancelled: it ended too soon"; exit 1; }
wait "$canceller" || { say "no training job was cancelled"; exit 1; }

say "local run: snakemake --cores $cpus"
local_start=$(date +%s)
run_workflow "$work/local" local --cores "$cpus"
local_seconds=$(seconds_since "$local_start")
say "local run done in $local_seconds s"

# --- the checks --------------------------------------------------------------------
"$python" "$repo/workflow/slurm/compare_runs.py" "$work/local" "$work/cluster" \
    --resumed "$cancelled_metrics"
grep -q "resumed from $cancelled_checkpoints/" "$work/cluster/$cancelled_log"
say "passed: SLURM results = local results, the cancelled job resumed" \
    "(total $(seconds_since "$started") s: SLURM run $cluster_seconds s, local run $local_seconds s)"
