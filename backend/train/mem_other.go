//go:build !linux

package train

// peakRSS is unknown off Linux: 0.
func peakRSS() int64 { return 0 }

func currentRSS() int64     { return 0 }
func availableBytes() int64 { return 0 }
