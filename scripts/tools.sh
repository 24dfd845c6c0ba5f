#!/usr/bin/env bash
# Fetches and caches the two Temporal servers the project runs against, into the
# git-ignored .tools/ folder. A second run with everything cached does nothing.
#   .tools/bin/temporal              Temporal CLI (dev server + Web UI), built with `go install`
#   .tools/bin/temporal-test-server  Java time-skipping test server (Maven Central), as an executable
set -euo pipefail

TEMPORAL_CLI_VERSION="v1.5.1"     # newest release that `go install` accepts (later ones carry a replace directive)
TEST_SERVER_VERSION="1.38.0"      # io.temporal:temporal-test-server

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin"
mkdir -p "$bin"

need() {
  # $1 command, $2 what to install
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "loanflow tools: '$1' was not found on PATH. Please install $2 and run this again." >&2
    exit 1
  fi
}

# --- Temporal CLI -----------------------------------------------------------
cli_stamp="$tools/temporal-cli.version"
if [[ -x "$bin/temporal" && "$(cat "$cli_stamp" 2>/dev/null)" == "$TEMPORAL_CLI_VERSION" ]]; then
  :
else
  need go "Go (1.22 or newer, https://go.dev/dl/)"
  echo "loanflow tools: building the Temporal CLI $TEMPORAL_CLI_VERSION with go install (once; a few minutes)..."
  GOBIN="$bin" GOFLAGS="${GOFLAGS:-} -trimpath" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  echo "$TEMPORAL_CLI_VERSION" > "$cli_stamp"
  echo "loanflow tools: Temporal CLI ready at $bin/temporal"
fi

# --- Java time-skipping test server -----------------------------------------
ts_dir="$tools/temporal-test-server"
ts_stamp="$ts_dir/version"
if [[ -x "$bin/temporal-test-server" && "$(cat "$ts_stamp" 2>/dev/null)" == "$TEST_SERVER_VERSION" ]]; then
  :
else
  need java "a Java runtime, 11 or newer (e.g. OpenJDK 17)"
  need mvn "Apache Maven 3 (it fetches the test server from Maven Central)"
  echo "loanflow tools: fetching io.temporal:temporal-test-server:$TEST_SERVER_VERSION from Maven Central (once)..."
  rm -rf "$ts_dir"
  mkdir -p "$ts_dir"
  cat > "$ts_dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>loanflow</groupId><artifactId>loanflow-tools</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId><artifactId>temporal-test-server</artifactId><version>$TEST_SERVER_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$ts_dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$ts_dir/lib" -DincludeScope=runtime
  # Started as `<path> <port>`, as the TypeScript SDK starts an `existing-path` test server.
  cat > "$bin/temporal-test-server" <<WRAP
#!/bin/sh
here="\$(cd "\$(dirname "\$0")/.." && pwd)"
exec java -XX:+UseSerialGC -cp "\$here/temporal-test-server/lib/*" io.temporal.testserver.TestServer "\$@"
WRAP
  chmod +x "$bin/temporal-test-server"
  echo "$TEST_SERVER_VERSION" > "$ts_stamp"
  echo "loanflow tools: time-skipping test server ready at $bin/temporal-test-server"
fi

# --- compose-config: `docker compose config` for machines without Docker Compose -----------
# Our own small Go program over compose-spec/compose-go, the library Docker Compose itself uses.
cc_src="$root/scripts/compose-config"
cc_stamp="$tools/compose-config.stamp"
cc_hash="$(cat "$cc_src/main.go" "$cc_src/go.mod" "$cc_src/go.sum" | sha256sum | cut -d' ' -f1)"
if [[ -x "$bin/compose-config" && "$(cat "$cc_stamp" 2>/dev/null)" == "$cc_hash" ]]; then
  :
else
  need go "Go (1.22 or newer, https://go.dev/dl/)"
  echo "loanflow tools: building compose-config (validates docker-compose.yml)..."
  (cd "$cc_src" && go build -o "$bin/compose-config" .)
  echo "$cc_hash" > "$cc_stamp"
fi

# --- Chromium and CJK fonts for the console's browser tests (Debian packages) -------------
# Playwright drives Debian's Chromium (/usr/bin/chromium) and never downloads a browser of its
# own; fonts-noto-cjk renders the Chinese screens (screenshots would show boxes without it).
if [[ -x /usr/bin/chromium && -d /usr/share/fonts/opentype/noto ]] && fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; then
  :
elif [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "loanflow tools: installing chromium and fonts-noto-cjk with apt-get (once)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
else
  echo "loanflow tools: the browser tests need Debian's chromium and fonts-noto-cjk; not root, so not installing them." >&2
  echo "loanflow tools: run as root: apt-get install chromium fonts-noto-cjk" >&2
fi
