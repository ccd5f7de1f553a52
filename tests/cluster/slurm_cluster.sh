#!/bin/sh
# A single-node Slurm cluster for the tests, started and stopped by them:
#   slurm_cluster.sh start DIR    munged (if none answers), slurmctld and slurmd
#                                 with their state, spool, logs and pid files
#                                 under DIR; prints SLURM_CONF=DIR/slurm.conf
#   slurm_cluster.sh stop DIR     stops the daemons it started (pid files)
# Exits 77 (CTest's skip) when Debian's slurmctld, slurmd, slurm-client or
# munge packages are absent; .ci/deps installs them, so CI never skips.
set -eu
cmd=${1:?start|stop}
dir=${2:?folder}

need() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }
for p in slurmctld slurmd sbatch sinfo munged munge; do
  need "$p" || { echo "slurm_cluster: $p is not installed: skipping" >&2; exit 77; }
done
PATH=/usr/sbin:/usr/bin:$PATH

stop_pidfile() {
  [ -f "$1" ] || return 0
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || true
  i=0
  while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$1"
}

if [ "$cmd" = stop ]; then
  stop_pidfile "$dir/slurmd.pid"
  stop_pidfile "$dir/slurmctld.pid"
  stop_pidfile "$dir/munged.pid"
  exit 0
fi

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
host=$(hostname)
cpus=$(nproc)
mem=$(awk '/MemTotal/ {print int($2 / 1024 * 0.8)}' /proc/meminfo)
# ports of their own, from the folder's name, so a second cluster (another
# build's tests) does not meet this one
base=$(( 20000 + $(printf '%s' "$dir" | cksum | cut -d' ' -f1) % 20000 ))

# munge: one daemon serves every cluster on the machine; start one if none answers
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge
  chown munge:munge /run/munge /var/lib/munge /var/log/munge
  chmod 0755 /run/munge
  runuser -u munge -- munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$dir/munged.pid" 2>/dev/null || true
  i=0
  until munge -n 2>/dev/null | unmunge >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 50 ] || { echo "slurm_cluster: munged does not answer" >&2; exit 1; }
    sleep 0.1
  done
fi

cat > "$dir/slurm.conf" <<CONF
ClusterName=mlplabtest
SlurmctldHost=$host
SlurmctldPort=$base
SlurmdPort=$((base + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SlurmdParameters=config_overrides
KillWait=5
MinJobAge=300
JobRequeue=1
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
export SLURM_CONF="$dir/slurm.conf"
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
i=0
until sinfo -h -o '%T' 2>/dev/null | grep -q idle; do
  i=$((i + 1))
  if [ $i -ge 200 ]; then
    echo "slurm_cluster: the node did not become idle; logs in $dir/log" >&2
    sinfo >&2 || true
    exit 1
  fi
  sleep 0.1
done
echo "SLURM_CONF=$SLURM_CONF"
