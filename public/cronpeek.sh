#!/bin/sh
# cronpeek.sh: report a cron job's runs to its CronPeek monitor. Needs only sh and curl.
#
#   cronpeek.sh exec <ping-url> -- <command> [args...]
#       Sends <ping-url>/start?rid=<run id>, runs the command (its output still goes to stdout),
#       then sends <ping-url>/<exit code>?rid=<run id> with the last 10 KB of the command's
#       combined stdout and stderr as a text/plain body. Exits with the command's exit code:
#       a ping that cannot be delivered is reported on stderr and never changes the outcome.
#   cronpeek.sh ping <ping-url>
#       Sends one ping; exits 0 when CronPeek recorded it, 1 when it could not be delivered.
#
# Settings (environment):
#   CRONPEEK_TIMEOUT   seconds each ping attempt may take (default 10)
#   CRONPEEK_RETRIES   attempts per ping (default 3), one second apart
#
# The ping URL's token is the monitor's only credential: it is handed to curl on stdin, never on
# its command line (which every user of the machine can read), and shown shortened in messages.
#
# Example crontab line:
#   0 3 * * * /usr/local/bin/cronpeek.sh exec https://cronpeek.example/api/v1/ping/TOKEN -- /usr/local/bin/backup.sh

set -u

VERSION=1
OUTPUT_LIMIT=10240
timeout=${CRONPEEK_TIMEOUT:-10}
retries=${CRONPEEK_RETRIES:-3}

say() {
  printf 'cronpeek.sh: %s\n' "$*" >&2
}

usage() {
  cat >&2 <<'EOF'
usage: cronpeek.sh exec <ping-url> -- <command> [args...]
       cronpeek.sh ping <ping-url>
EOF
}

is_count() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
    *) [ "$1" -gt 0 ] ;;
  esac
}

# mask <url>: the URL with its ping token cut to its first four characters, for messages.
mask() {
  case $1 in
    */ping/*)
      rest=${1#*/ping/}
      token=${rest%%[/?#]*}
      printf '%s/ping/%.4s...%s' "${1%%/ping/*}" "$token" "${rest#"$token"}"
      ;;
    *)
      # Not a ping URL: whatever it holds may be a token, so only its first characters are shown.
      printf '%.12s...' "$1"
      ;;
  esac
}

# ping_curl <url> [curl options...]: one request, the URL in a config read from stdin. A here-document
# is written by the shell itself, so the URL never reaches any command line.
ping_curl() {
  target=$1
  shift
  curl -sS -o /dev/null -w '%{http_code}' --connect-timeout "$timeout" --max-time "$timeout" \
    -A "cronpeek.sh/$VERSION" "$@" --config - <<EOF
url = "$target"
EOF
}

# send <url> [body-file]: one ping, tried up to $retries times. Returns 0 once CronPeek answers
# 2xx; gives up early on an answer that a retry cannot change (a 4xx other than 408/429).
send() {
  url=$1
  body=${2:-}
  attempt=1
  while :; do
    if [ -n "$body" ]; then
      code=$(ping_curl "$url" -H 'Content-Type: text/plain' --data-binary "@$body")
    else
      code=$(ping_curl "$url")
    fi
    case $code in
      2??) return 0 ;;
      408 | 429) ;;
      4??)
        say "ping refused with HTTP $code: $(mask "$url")"
        return 1
        ;;
    esac
    if [ "$attempt" -ge "$retries" ]; then
      say "ping not delivered after $attempt attempts (last answer: ${code:-none}): $(mask "$url")"
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 1
  done
}

# A run id pairing the start with its end: random when /dev/urandom is there, else time and pid.
run_id() {
  rid=$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')
  [ -n "$rid" ] || rid="$(date +%s)-$$"
  printf '%s' "$rid"
}

check_url() {
  case $1 in
    http://* | https://*) ;;
    *)
      say "the ping URL must start with http:// or https:// (got \"$(mask "$1")\")"
      exit 2
      ;;
  esac
  case $1 in
    *'?'* | *'#'*)
      say "give the plain ping URL, without a query string (got \"$(mask "$1")\")"
      exit 2
      ;;
    # Never part of a ping URL, and each would change the meaning of curl's config line.
    *[\"\\[:space:]]*)
      say "the ping URL must not contain quotes, backslashes or spaces (got \"$(mask "$1")\")"
      exit 2
      ;;
  esac
}

run_exec() {
  base=${1%/}
  shift
  if [ "$#" -eq 0 ] || [ "$1" != "--" ]; then
    usage
    exit 2
  fi
  shift
  if [ "$#" -eq 0 ]; then
    usage
    exit 2
  fi
  rid=$(run_id)
  # The job's output may hold secrets: it is kept in a directory only this user can read, or the
  # job is not run at all (a guessable fallback name could be taken over by another user).
  work=$(mktemp -d 2>/dev/null) || {
    say "cannot create a private temporary directory in ${TMPDIR:-/tmp} (mktemp -d failed); the job was not run"
    exit 70
  }
  trap 'rm -rf "$work"' EXIT
  case $(ls -ld "$work" 2>/dev/null) in
    drwx------*) ;;
    *)
      say "the temporary directory $work is not private (mode 700); the job was not run"
      exit 70
      ;;
  esac
  trap 'exit 143' TERM
  trap 'exit 130' INT

  send "$base/start?rid=$rid" || true

  # The command's combined output goes both to our stdout and to a file; its exit status comes
  # back through a file because a plain POSIX pipeline reports only the last command's status.
  { "$@" 2>&1; echo "$?" >"$work/status"; } | tee "$work/output"
  status=$(cat "$work/status" 2>/dev/null)
  case $status in
    '' | *[!0-9]*) status=1 ;;
  esac

  tail -c "$OUTPUT_LIMIT" "$work/output" >"$work/tail" 2>/dev/null || : >"$work/tail"
  send "$base/$status?rid=$rid" "$work/tail" || true
  exit "$status"
}

if ! is_count "$timeout" || ! is_count "$retries"; then
  say "CRONPEEK_TIMEOUT and CRONPEEK_RETRIES must be whole numbers above 0"
  exit 2
fi
if ! command -v curl >/dev/null 2>&1; then
  say "curl is needed and was not found"
  # Still run the job: a missing curl must not stop it, only its reporting.
  if [ "${1:-}" = exec ] && [ "${3:-}" = "--" ] && [ "$#" -ge 4 ]; then
    shift 3
    exec "$@"
  fi
  exit 1
fi

case ${1:-} in
  exec)
    [ "$#" -ge 2 ] || {
      usage
      exit 2
    }
    check_url "$2"
    shift
    run_exec "$@"
    ;;
  ping)
    [ "$#" -eq 2 ] || {
      usage
      exit 2
    }
    check_url "$2"
    send "${2%/}"
    ;;
  -h | --help | help)
    usage
    ;;
  *)
    usage
    exit 2
    ;;
esac
