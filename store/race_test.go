//go:build race

package store

// raceEnabled shrinks the largest fixtures under the race detector, which slows the hashing and
// page copying they exercise about tenfold; the full sizes run without -race.
const raceEnabled = true
