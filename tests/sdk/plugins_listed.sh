#!/bin/sh
# sdk_plugins_listed: with no MLPLAB_PLUGIN_PATH, the installed runner lists
# swish from --plugin-path and the shipped plugins from its own prefix (not
# from the build tree it was compiled in).
# usage: plugins_listed.sh RUNNER PREFIX LIBDIR SWISH_PLUGIN_DIR
set -eu
runner=$1 prefix=$2 libdir=$3 swish=$4
fail() { echo "plugins_listed: $*" >&2; exit 1; }

list=$(env -u MLPLAB_PLUGIN_PATH "$runner" plugins --plugin-path "$swish") ||
    fail "runner plugins failed"
printf '%s\n' "$list"
file_of() { printf '%s\n' "$list" | awk -v k="$1" -v n="$2" '$1 == k && $2 == n {print $4}'; }

# the runner knows its location without symbolic links
plugins="$(cd "$prefix" && pwd -P)/$libdir/mlplab/plugins"
test "$(file_of activation swish)" = "$swish/activations/swish.so" ||
    fail "swish not listed from $swish"
for kp in activation:sigmoid dataset:circles loss:bce; do
    k=${kp%%:*} n=${kp#*:}
    case $k in activation) f=activations ;; loss) f=losses ;; *) f=datasets ;; esac
    got=$(file_of "$k" "$n")
    test "$got" = "$plugins/$f/$n.so" || fail "$k $n came from '$got', not $plugins/$f/$n.so"
done
echo "plugins_listed: ok"
