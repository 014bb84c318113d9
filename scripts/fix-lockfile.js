// Adds lock entries for optional platform packages the local registry mirror does not serve,
// so `npm ci` validation passes; npm skips them on non-matching platforms without fetching.
const fs = require('fs');
const file = process.argv[2];
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const pk = lock.packages;
let added = 0;
for (const [key, entry] of Object.entries(pk)) {
  if (!entry.optionalDependencies || key === '') continue;
  for (const [name, spec] of Object.entries(entry.optionalDependencies)) {
    // resolve like node: nested first, then hoisted
    const nested = `${key}/node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (pk[nested] || pk[hoisted]) continue;
    const m = name.match(/-(darwin|linux|win32|android|freebsd|openharmony|sunos|aix)-(arm64|x64|ia32|arm|ppc64|s390x|riscv64|loong64|wasm32)(?:-(gnu|musl|msvc|gnueabihf|musleabihf|eabi))?$/);
    if (!m) { console.error('cannot place', key, name, spec); continue; }
    if (!/^\d+\.\d+\.\d+/.test(spec)) { console.error('not exact', name, spec); continue; }
    const e = { version: spec };
    if (entry.dev) e.dev = true;
    e.optional = true;
    e.cpu = [m[2]];
    e.os = [m[1]];
    if (m[1] === 'linux' && m[3]) e.libc = [/musl/.test(m[3]) ? 'musl' : 'glibc'];
    pk[hoisted] = e;
    added++;
  }
}
// keep key order sorted like npm does
const sorted = {};
for (const k of Object.keys(pk).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)))) sorted[k] = pk[k];
lock.packages = sorted;
fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log('added', added);
