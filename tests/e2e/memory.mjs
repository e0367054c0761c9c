// The memory a browser uses, read from Linux's /proc: the proportional set size
// (PSS: shared pages split between the processes sharing them) summed over the
// browser's whole process tree (browser, renderers, the extension's worker or
// background, GPU and utility processes), sampled while a test runs.
import { readdirSync, readFileSync } from 'node:fs';

/** The process whose command line holds `needle` and whose parent's does not. */
export function rootProcess(needle) {
  const cmd = (pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return '';
    }
  };
  const candidates = pids().filter((pid) => cmd(pid).includes(needle));
  return candidates.find((pid) => !cmd(parentOf(pid)).includes(needle));
}

function pids() {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

function parentOf(pid) {
  try {
    // The command name (2nd field) may hold spaces: the parent is the 2nd field after its ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** `root` and all its descendants. */
export function processTree(root) {
  const children = new Map();
  for (const pid of pids()) {
    const parent = parentOf(pid);
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(pid);
  }
  const tree = [];
  const queue = [root];
  while (queue.length) {
    const pid = queue.pop();
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** PSS of one process in KiB (0 if it has gone). */
function pssKiB(pid) {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
    return Number(rollup.match(/^Pss:\s+(\d+) kB/m)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The tree's total PSS in MiB, now. */
export function treePssMiB(root) {
  return processTree(root).reduce((sum, pid) => sum + pssKiB(pid), 0) / 1024;
}

/**
 * Samples the tree's PSS every `intervalMs` until stopped. `stop()` gives the
 * total before sampling began and the highest total seen, in MiB.
 */
export function sampleMemory(root, intervalMs = 100) {
  const before = treePssMiB(root);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, treePssMiB(root));
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, treePssMiB(root));
      return { before, peak, growth: peak - before };
    },
  };
}
