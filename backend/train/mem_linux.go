package train

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// peakRSS is the process's peak resident memory in bytes (VmHWM), the
// figure the memory estimator is checked against on the CPU; 0 if unknown.
func peakRSS() int64 { return statusKB("VmHWM:") }

func statusKB(key string) int64 { return fileKB("/proc/self/status", key) }

// fileKB reads a "key: N kB" line of a /proc file, in bytes; 0 if absent.
func fileKB(path, key string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), key); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// currentRSS is the process's resident memory now (VmRSS).
func currentRSS() int64 { return statusKB("VmRSS:") }

// availableBytes is the memory the kernel could give without swapping
// (MemAvailable).
func availableBytes() int64 { return fileKB("/proc/meminfo", "MemAvailable:") }
