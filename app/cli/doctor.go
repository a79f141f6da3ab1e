package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/hone-ai/hone/backend/core"
	"github.com/hone-ai/hone/backend/hw"
	"github.com/spf13/cobra"
)

func (c *cli) doctorCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "what this machine has and what Hone will use",
		Args:  args(0, 0, ""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.with(func(h *core.Hone) error {
				d, err := h.Doctor(c.ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(c.env.Stdout, d)
				}
				printDoctor(c.env.Stdout, d)
				return nil
			})
		},
	}
	jsonFlag(cmd, &asJSON)
	return cmd
}

func printDoctor(out io.Writer, d core.Doctor) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Hone\t%s\n", d.Version)
	fmt.Fprintf(w, "Data folder\t%s\n", d.DataDir)
	fmt.Fprintf(w, "Database\t%s (schema %d, %s)\n", d.Database.Path, d.Database.SchemaVersion, d.Database.Health)
	if d.CPUOnly() {
		fmt.Fprintf(w, "GPUs\t%s\n", d.GPUNote)
	} else {
		fmt.Fprintf(w, "GPUs\t%d from %s, driver %s (CUDA %s)\n", len(d.GPUs), d.Source, d.Driver.Version, d.Driver.CUDAVersion)
		for _, g := range d.GPUs {
			fmt.Fprintf(w, "  GPU %d\t%s, %s total, %s free, compute %s, %d%% busy, %d °C, %.0f/%.0f W\n",
				g.Index, g.Name, hw.FormatBytes(g.MemoryTotal), hw.FormatBytes(g.MemoryFree), g.ComputeCapability(),
				g.UtilizationPct, g.TemperatureC, g.PowerDrawWatts, g.PowerLimitWatts)
		}
	}
	fmt.Fprintf(w, "CPU\t%s (%d physical / %d logical cores; %s)\n", d.CPU.Model, d.CPU.PhysicalCores, d.CPU.LogicalCores, cpuFlags(d.CPU))
	fmt.Fprintf(w, "RAM\t%s total, %s available\n", hw.FormatBytes(d.Memory.Total), hw.FormatBytes(d.Memory.Available))
	fmt.Fprintf(w, "Disk\t%s free of %s at %s\n", hw.FormatBytes(d.Disk.Free), hw.FormatBytes(d.Disk.Total), d.Disk.Path)
	fmt.Fprintf(w, "Will use\t%s backend: %s\n", strings.ToUpper(d.Device.Name), d.Device.Reason)
	w.Flush()
}

func cpuFlags(c hw.CPU) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{c.AVX2, "AVX2"}, {c.AVX512, "AVX-512"}, {c.FMA, "FMA"}, {c.F16C, "F16C"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	if len(f) == 0 {
		return "no AVX2"
	}
	return strings.Join(f, " ")
}
