# cgkit shell: a first walk through cgroup v2 on the simulated kernel.
# Run it with:  npx cgkit shell < examples/first-steps.sh
# Each failing command prints what a Linux shell would print; the session goes on.

cat cgroup.controllers
echo "+cpu +memory +pids" > cgroup.subtree_control
mkdir -p jobs/build jobs/test
echo "+cpu +pids" > jobs/cgroup.subtree_control
ls jobs/build

# Weights and limits, checked like the kernel checks them.
echo 200 > jobs/build/cpu.weight
echo 0 > jobs/build/cpu.weight          # ERANGE: cpu.weight is 1..10000
echo "50000 100000" > jobs/test/cpu.max
cat jobs/test/cpu.max
echo 3 > jobs/test/pids.max

# Processes: spawn into a group, fork until pids.max says no.
spawn --name make --cgroup jobs/build
spawn --name runner --cgroup jobs/test
fork $!
fork $!
fork $!                                  # EAGAIN: pids.max is 3
cat jobs/test/pids.current jobs/test/pids.events
tree jobs

# No internal processes: jobs has controllers enabled for its children.
spawn --cgroup jobs                      # EBUSY
rmdir jobs/test                          # EBUSY: it still has processes

# Freeze and kill a whole group.
echo 1 > jobs/test/cgroup.freeze
cat jobs/test/cgroup.events
echo 1 > jobs/test/cgroup.kill
cat jobs/test/cgroup.events
rmdir jobs/test
ps
exit 0
