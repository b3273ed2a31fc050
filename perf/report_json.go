package perf

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the whole report (every run's values included) as
// indented JSON.
func WriteJSON(w io.Writer, rep *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return fmt.Errorf("perf: write json: %w", err)
	}
	return nil
}
