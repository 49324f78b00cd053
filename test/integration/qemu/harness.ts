/**
 * Runs a cross-built release on the build host under QEMU user-mode emulation without binfmt_misc.
 *
 * Without binfmt the host kernel cannot exec a target ELF, and BEAM execs several: the release
 * script runs erts-<vsn>/bin/erlexec, which execs beam.smp, which starts erl_child_setup (the
 * forker, at every boot), inet_gethost (native name lookups), epmd (`-sname`/`-name`) and heart
 * (`-heart`), always by path under BINDIR or through PATH (erlexec puts BINDIR first). So the
 * harness makes a hard-linked copy of the release in which every target executable of
 * erts-<vsn>/bin is replaced by a two-line sh wrapper that runs the release's own file through
 * `<qemu> -L <sysroot>`; every other file (boot scripts, .beam, .app, NIF .so) is the release's
 * own inode. The original release stays untouched.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, cpSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hostToolchain, runIn, type Toolchain } from '../../helpers/toolchain-roots.js';
import { ertsDirOf } from '../erlang-root.js';
import { readElf } from './elf.js';

export interface EmulatedRelease {
  /** Root of the copy to run (bin/<app>, erts-<vsn>/bin/... wrappers). */
  root: string;
  /** erts-<vsn>/bin file names that were wrapped, sorted. */
  wrapped: string[];
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Target executables (ELF, not shared objects) of one directory. */
export function elfExecutables(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => {
      const p = join(dir, n);
      const st = statSync(p);
      return st.isFile() && (st.mode & 0o111) !== 0 && !n.endsWith('.so') && readElf(p) !== null;
    })
    .sort();
}

/**
 * Hard-links `release` into `into` and wraps the ERTS executables with `qemu -L sysroot`.
 * `into` must not exist.
 */
export function emulateRelease(release: string, into: string, qemu: string, sysroot: string): EmulatedRelease {
  const cp = spawnSync('cp', ['-al', release, into]);
  if (cp.status !== 0) {
    rmSync(into, { recursive: true, force: true });
    cpSync(release, into, { recursive: true, verbatimSymlinks: true });
  }
  const erts = readdirSync(into).filter((n) => n.startsWith('erts-'));
  if (erts.length !== 1) throw new Error(`${release}: expected one erts-<vsn> directory, found ${erts.join(', ') || 'none'}`);
  const bin = join(into, erts[0]!, 'bin');
  const wrapped = elfExecutables(bin);
  for (const name of wrapped) {
    const wrapper = join(bin, name);
    unlinkSync(wrapper); // a hard link: writing through it would change the release itself
    writeFileSync(wrapper, `#!/bin/sh\nexec ${shellQuote(qemu)} -L ${shellQuote(sysroot)} ${shellQuote(join(release, erts[0]!, 'bin', name))} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  return { root: into, wrapped };
}

/**
 * Elixir evaluated inside the emulated release (`bin/<app> eval`): one `key=value` line per
 * fact. Command lines are read by the host's `tr` from /proc, i.e. as the host kernel sees the
 * process (QEMU's own argv), which shows whether a helper program ran under emulation.
 */
export const PROBE = String.raw`
say = fn k, v -> IO.puts("#{k}=#{v}") end
cmdline = fn
  nil -> "(no such process)"
  pid -> :os.cmd(~c"tr '\\000\\n' '  ' < /proc/#{pid}/cmdline") |> to_string() |> String.trim()
end
# A port's name is the command it was spawned with, by full path (inet_gethost) or not (heart -pid N).
port_os_pid = fn program ->
  Enum.find_value(Port.list(), fn p ->
    case Port.info(p) do
      nil -> nil
      info -> if info[:name] |> to_string() |> String.split(" ") |> hd() |> Path.basename() == program, do: info[:os_pid]
    end
  end)
end
{:ok, _} = Application.ensure_all_started(:beambake_demo)
say.("system_architecture", :erlang.system_info(:system_architecture))
say.("emu_flavor", :erlang.system_info(:emu_flavor))
say.("wordsize", :erlang.system_info(:wordsize))
say.("report", BeambakeDemo.report())
say.("nif_add", FastSum.add(-7, 3))
say.("nif_beyond_32bit_long", (try do FastSum.add(2147483648, 1) rescue ArgumentError -> "badarg" end))
say.("nif_dir", :code.priv_dir(:fast_sum))
say.("root_dir", :code.root_dir())
say.("os_pid", :os.getpid())
say.("beam", cmdline.(:os.getpid()))
say.("forker", cmdline.("$PPID"))
{:ok, {:hostent, _, _, _, _, addrs}} = :inet_gethost_native.gethostbyname(~c"localhost")
say.("localhost", inspect(addrs))
say.("inet_gethost", cmdline.(port_os_pid.("inet_gethost")))
say.("heart", cmdline.(port_os_pid.("heart")))
say.("node", node())
say.("epmd_names", inspect(:erl_epmd.names()))
`;

/** The `key=value` lines of a PROBE run (the last value wins). */
export function parseProbe(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([a-z_0-9]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** Host processes whose command line mentions `needle` (e.g. a daemonised epmd under QEMU). */
export function processesMentioning(needle: string): { pid: number; cmdline: string }[] {
  const out: { pid: number; cmdline: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(join('/proc', name, 'cmdline'), 'latin1').split('\0').join(' ').trim();
    } catch {
      continue; // gone meanwhile
    }
    if (cmdline.includes(needle)) out.push({ pid: Number(name), cmdline });
  }
  return out;
}

/** A TCP port nobody listens on right now (for a private epmd: ERL_EPMD_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Emulator flags BEAM needs under QEMU user mode. The aarch64 JIT maps its code twice (RW and
 * RX views of one memfd) and QEMU does not see code written through the RW view, so the VM
 * crashes at boot (erlang/docker-erlang-otp#400). OTP 26 added `+JMsingle true` for exactly
 * this (erlang/otp#6340); in OTP 25 the only way to single-mapped RWX memory is perf support,
 * `+JPperf true`, which also writes /tmp/perf-<pid>.map and /tmp/jit-<pid>.dump (runProbe
 * removes them). Not needed on real hardware; the interpreter (armhf, riscv64) needs nothing.
 * Measured: OTP 25's JIT (Debian bookworm) crashes without the flag under QEMU 7.2; OTP 27's
 * (Debian trixie) runs without it under QEMU 7.2 and 10.0 (release-aarch64.test.ts checks 10.0).
 * The flag stays on as it costs nothing.
 */
export function qemuEmulatorFlags(jit: boolean, otpMajor: number): string[] {
  if (!jit) return [];
  return otpMajor >= 26 ? ['+JMsingle', 'true'] : ['+JPperf', 'true'];
}

export interface ProbeRun {
  result: SpawnSyncReturns<string>;
  facts: Record<string, string>;
  /** The epmd daemon the VM started for `-sname`, found by the release's epmd path (then stopped). */
  epmd: { pid: number; cmdline: string }[];
  seconds: number;
}

/**
 * Runs PROBE through the emulated release's own `bin/<app> eval`, distributed (`-sname`, so
 * erlexec starts epmd on a private ERL_EPMD_PORT) and with `-heart`, so every helper program
 * BEAM starts gets exercised. Stops the epmd daemon afterwards.
 */
export async function runProbe(
  em: EmulatedRelease,
  release: string,
  app: string,
  opts: { home: string; emulatorFlags?: string[]; timeoutMs?: number; toolchain?: Toolchain },
): Promise<ProbeRun> {
  const port = await freePort();
  const epmdPath = join(release, ertsDirOf(release), 'bin', 'epmd');
  const t0 = Date.now();
  const result = runIn(opts.toolchain ?? hostToolchain, join(em.root, 'bin', app), ['eval', PROBE], {
    env: {
      HOME: opts.home,
      // Built without a cookie (a device makes its own at first boot); -sname needs one.
      RELEASE_COOKIE: 'beambake-qemu-probe',
      RELEASE_TMP: join(opts.home, 'release-tmp'),
      ERL_EPMD_PORT: String(port),
      ELIXIR_ERL_OPTIONS: ['-sname', `bbqemu${process.pid}`, '-heart', ...(opts.emulatorFlags ?? [])].join(' '),
    },
    timeoutMs: opts.timeoutMs ?? 10 * 60_000,
    maxBuffer: 16 << 20,
  });
  const seconds = (Date.now() - t0) / 1000;
  const facts = parseProbe(result.stdout);
  const epmd = processesMentioning(epmdPath);
  for (const p of epmd) {
    try {
      process.kill(p.pid);
    } catch {
      // already gone
    }
  }
  if (facts.os_pid && /^\d+$/.test(facts.os_pid)) {
    for (const f of [`/tmp/perf-${facts.os_pid}.map`, `/tmp/jit-${facts.os_pid}.dump`]) rmSync(f, { force: true });
  }
  return { result, facts, epmd, seconds };
}
