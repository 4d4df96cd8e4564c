# Shared by scripts/run, scripts/test and scripts/bench: find or install the build tools, idempotently.
# Everything installed lands outside the clone (~/.cargo/bin, ~/.cache/roster), so a second run
# on the same machine skips it and reuses the cargo target directory.

set -euo pipefail

ROSTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROSTER_CACHE="${ROSTER_CACHE:-$HOME/.cache/roster}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROSTER_CACHE/target}"
# LOCAL TO THIS WORKTREE, DO NOT COMMIT: /work/.cargo-wrap serializes cargo across worktrees.
export PATH="/work/.cargo-wrap:$HOME/.cargo/bin:$ROSTER_CACHE/tools/node_modules/.bin:$PATH"

CARGO_LEPTOS_VERSION="0.3.10"
WASM_BINDGEN_VERSION="0.2.130"
BINARYEN_VERSION="132.0.0"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_build_tools() {
  cd "$ROSTER_ROOT"
  # rust-toolchain.toml pins the toolchain and the wasm target; install them when missing.
  local channel
  channel="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)"
  if ! rustup run "$channel" rustc --version >/dev/null 2>&1 \
    || ! rustup target list --installed --toolchain "$channel" | grep -qx wasm32-unknown-unknown; then
    say "Installing Rust $channel with the wasm32-unknown-unknown target"
    rustup toolchain install "$channel" --profile minimal -c rustfmt -c clippy -t wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (about 17 minutes on 2 cores, once per machine)"
    CARGO_TARGET_DIR="$ROSTER_CACHE/tool-build" CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
      cargo install cargo-leptos --locked --version "$CARGO_LEPTOS_VERSION" --features no_downloads
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # Without --locked: its lockfile names a crate version the registry no longer has.
    CARGO_TARGET_DIR="$ROSTER_CACHE/tool-build" cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
  if ! wasm-opt --version 2>/dev/null | grep -q "version 132"; then
    say "Installing wasm-opt (npm binaryen@$BINARYEN_VERSION; Debian's breaks hydration)"
    mkdir -p "$ROSTER_CACHE/tools"
    [ -f "$ROSTER_CACHE/tools/package.json" ] || echo '{"private":true}' > "$ROSTER_CACHE/tools/package.json"
    (cd "$ROSTER_CACHE/tools" && npm install --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null)
  fi
}

# Builds the release server binary and the optimised browser bundle into target/site.
build_release() {
  cd "$ROSTER_ROOT"
  say "Building Roster (release)"
  cargo leptos build --release
}

ensure_chromium() {
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Chromium from Debian"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
}

# Makes sure a PostgreSQL answers for the tests and exports ROSTER_TEST_POSTGRES_URL.
ensure_postgres() {
  if [ -n "${ROSTER_TEST_POSTGRES_URL:-}" ]; then return; fi
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    export ROSTER_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
    return
  fi
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "Starting this machine's PostgreSQL"
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    if pg_isready -q -h 127.0.0.1 -p 5432; then
      export ROSTER_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432/postgres"
      return
    fi
  fi
  say "No PostgreSQL answers: starting a throwaway cluster from Debian's package"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin dir port=55432
  bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)")"
  dir="$(mktemp -d /tmp/roster-pg.XXXXXX)"
  chmod 777 "$dir"
  local run_as=()
  if [ "$(id -u)" -eq 0 ]; then run_as=(runuser -u postgres --); fi
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
  export ROSTER_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export ROSTER_THROWAWAY_PG="$bin/pg_ctl -D $dir/data"
}

stop_throwaway_postgres() {
  if [ -n "${ROSTER_THROWAWAY_PG:-}" ]; then
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- $ROSTER_THROWAWAY_PG -m fast stop >/dev/null || true
    else $ROSTER_THROWAWAY_PG -m fast stop >/dev/null || true; fi
  fi
}
