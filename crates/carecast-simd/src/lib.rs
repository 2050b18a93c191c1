//! carecast-simd: runs a piece of work compiled for the widest vector instructions
//! the processor has, chosen once at run time.
//!
//! What it is: [`dispatch`], which on an x86-64 processor with AVX2 and FMA
//! runs a [`Vectorised`] piece of work inside a function compiled for them (so the code inlined
//! into it, such as the simulator's 9 × 9 matrix products, uses 256-bit
//! registers), and anywhere else simply calls it. The release binary is built
//! for the baseline x86-64 instruction set, so it still runs on processors
//! without AVX2. What it is not: a SIMD library. Callers write ordinary
//! scalar Rust and let the compiler vectorise it.
//!
//! Why it is a crate of its own: it holds the workspace's only `unsafe`
//! block (every other crate forbids `unsafe`), so that block is in one
//! place, small enough to audit, and changes only when the set of
//! instruction sets does.
//!
//! Results never depend on the choice. Rust does not fuse a multiply and an
//! add into one FMA instruction unless the code asks for it (`mul_add`, which
//! rounds once on every path), and vectorising does not reorder floating-point
//! sums, so the wider instructions give the same bits; the simulator's tests
//! check this on the whole model.

/// The instruction set [`dispatch`] uses on this processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64).
    Baseline,
    /// x86-64 with AVX2 and FMA.
    Avx2Fma,
}

thread_local! {
    /// Set while [`baseline_only`] runs on this thread.
    static BASELINE_ONLY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with every [`dispatch`] on this thread taking the baseline path,
/// so tests can compare the two paths on a processor that has both.
pub fn baseline_only<R>(f: impl FnOnce() -> R) -> R {
    /// Restores the flag even if `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BASELINE_ONLY.set(self.0);
        }
    }
    let _restore = Restore(BASELINE_ONLY.replace(true));
    f()
}

/// The instruction set [`dispatch`] chooses here (detected once by the
/// standard library and cached; the baseline inside [`baseline_only`]).
#[inline]
pub fn level() -> Level {
    #[cfg(target_arch = "x86_64")]
    if !BASELINE_ONLY.get() && std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    {
        return Level::Avx2Fma;
    }
    Level::Baseline
}

/// Work to run with [`dispatch`]: an ordinary struct holding the inputs,
/// whose `run` is marked `#[inline(always)]` so it is compiled into the
/// dispatched function rather than called from it. (A closure would not do:
/// the compiler keeps a large closure out of line, compiled for the
/// baseline.)
pub trait Vectorised {
    /// What `run` returns.
    type Output;
    /// The work; mark it `#[inline(always)]`, and the functions it calls in
    /// its hot loops too: only inlined code uses the wider instructions.
    fn run(self) -> Self::Output;
}

/// Runs `work`, compiled for AVX2 and FMA when the processor has them.
#[inline]
pub fn dispatch<W: Vectorised>(work: W) -> W::Output {
    #[cfg(target_arch = "x86_64")]
    {
        if level() == Level::Avx2Fma {
            #[allow(unsafe_code)]
            // SAFETY: `with_avx2_fma` may only run where AVX2 and FMA exist,
            // and `level()` has just found both on this processor.
            return unsafe { with_avx2_fma(work) };
        }
    }
    work.run()
}

/// Runs `work` inside a function compiled for AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,avx2,fma")]
fn with_avx2_fma<W: Vectorised>(work: W) -> W::Output {
    work.run()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A loop the compiler vectorises, as dispatched work.
    struct Sums<'a>(&'a [f64]);

    impl Vectorised for Sums<'_> {
        type Output = [f64; 4];
        #[inline(always)]
        fn run(self) -> [f64; 4] {
            let mut acc = [0.0; 4];
            for chunk in self.0.chunks_exact(4) {
                for i in 0..4 {
                    acc[i] += chunk[i] * 1.000_000_1 + 0.1;
                }
            }
            acc
        }
    }

    /// The dispatched and the plain run give the same bits (the additions
    /// happen in the same order on both paths), and the same as a plain
    /// element-by-element sum written out here.
    #[test]
    fn dispatched_and_plain_give_the_same_bits() {
        let xs: Vec<f64> = (0..4_000).map(|i| (i as f64).sin() * 1e3).collect();
        let mut by_hand = [0.0f64; 4];
        for (k, x) in xs.iter().enumerate() {
            by_hand[k % 4] += x * 1.000_000_1 + 0.1;
        }
        let plain = baseline_only(|| dispatch(Sums(&xs)));
        assert_eq!(baseline_only(level), Level::Baseline);
        let dispatched = dispatch(Sums(&xs));
        assert_eq!(plain.map(f64::to_bits), by_hand.map(f64::to_bits));
        assert_eq!(dispatched.map(f64::to_bits), by_hand.map(f64::to_bits));
    }
}
