#!/usr/bin/env bash
# The third-party notices of the Rust crates and C codecs (cargo-about, about.toml,
# about.hbs) -> target/notices.html; extension/build.mjs adds the npm packages the
# bundle holds and ships it in both zips. Fails when a dependency's licence is not
# in about.toml's allowlist. Regenerated only when its inputs change (17 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/notices.html
if [ -f "$out" ] && [ "$out" -nt Cargo.lock ] && [ "$out" -nt about.toml ] && [ "$out" -nt about.hbs ]; then
    exit 0
fi
mkdir -p target
rm -f "$out"
cargo about generate --fail about.hbs -o "$out.tmp"
# libaom comes with the Alliance for Open Media Patent License beside its BSD
# licence; it is not an SPDX licence, so cargo-about does not list it: added here.
patents="$(scripts/crate-dir.sh libaom-sys)/vendor/PATENTS"
node -e '
  const fs = require("fs");
  const [file, patents] = process.argv.slice(1);
  const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const section = `<section>\n<h3 id="AOM-patent">Alliance for Open Media Patent License 1.0</h3>\n` +
    `<p>Used by:</p>\n<ul class="used-by">\n<li>libaom (libaom-sys), the AV1 encoder</li>\n</ul>\n` +
    `<pre>${escape(fs.readFileSync(patents, "utf8"))}</pre>\n</section>`;
  const html = fs.readFileSync(file, "utf8");
  if (!html.includes("<!-- libaom patent licence -->")) throw new Error("about.hbs: no place for the patent licence");
  fs.writeFileSync(file, html.replace("<!-- libaom patent licence -->", section));
' "$out.tmp" "$patents"
mv "$out.tmp" "$out"
