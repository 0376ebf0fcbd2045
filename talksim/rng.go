package talksim

// Deterministic randomness: every record is a pure function of
// (seed, stream, index, version), so any record can be produced on demand
// without storing it, and the same seed always yields the same bytes.

// Stream tags keep the values of different tables independent.
const (
	streamCallIdentity uint64 = iota + 1
	streamCallOutcome
	streamCallNull
	streamLeg
	streamLegNull
	streamLegOffset
	streamEntity
	streamStats
	streamAgent
	streamSettings
)

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func hash4(seed int64, stream, a, b uint64) uint64 {
	h := mix64(uint64(seed) ^ 0x9e3779b97f4a7c15)
	h = mix64(h ^ stream*0xd6e8feb86659fd93)
	h = mix64(h ^ a)
	return mix64(h ^ b*0xa0761d6478bd642f)
}

// rng is a splitmix64 sequence.
type rng struct{ s uint64 }

func newRng(seed int64, stream, a, b uint64) rng { return rng{s: hash4(seed, stream, a, b)} }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// intn returns [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// between returns [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// pct is true with probability p percent.
func (r *rng) pct(p int) bool { return r.intn(100) < p }

// pick returns an index into weights, chosen proportionally.
func (r *rng) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.intn(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// nullMask sets each bit with probability 1/64 (AND of six draws), so about
// 1.6% of nullable fields come out null.
func (r *rng) nullMask() uint64 {
	m := r.next()
	for i := 0; i < 5; i++ {
		m &= r.next()
	}
	return m
}

func (r *rng) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[r.intn(16)]
	}
	return string(b)
}
