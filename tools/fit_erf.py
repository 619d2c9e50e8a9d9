#!/usr/bin/env python3
"""Fits the rational erf of include/frost/core/vector_math.hpp: erf(z) ~ z P(z^2) / Q(z^2) on [0, 4],
P of degree 6, Q of degree 5 with Q(0) = 1, by linearised least squares (z P - erf Q = 0) reweighted
by 1/|Q| a few times (Sanathanan-Koerner). Prints the coefficients and the largest error in double
and when evaluated in float32 (Horner, as the kernel does). Needs numpy and mpmath.

usage: python3 tools/fit_erf.py
"""
import mpmath
import numpy as np

N_P, N_Q = 7, 6  # coefficients of P and Q


def main() -> None:
    z = np.linspace(0.0, 4.0, 20001)[1:]
    f = np.array([float(mpmath.erf(v)) for v in z])
    t = z * z
    a = np.hstack([np.stack([z * t**i for i in range(N_P)], 1), np.stack([-f * t**j for j in range(1, N_Q)], 1)])
    w = np.ones_like(z)
    for _ in range(6):
        sol, *_ = np.linalg.lstsq(a * w[:, None], f * w, rcond=None)
        p, q = sol[:N_P], np.concatenate([[1.0], sol[N_P:]])
        w = 1.0 / np.abs(np.polyval(q[::-1], t))
    exact = z * np.polyval(p[::-1], t) / np.polyval(q[::-1], t)
    z32 = z.astype(np.float32)
    t32 = z32 * z32
    p32 = np.zeros_like(z32)
    for c in p[::-1]:
        p32 = p32 * t32 + np.float32(c)
    q32 = np.zeros_like(z32)
    for c in q[::-1]:
        q32 = q32 * t32 + np.float32(c)
    in_float = (z32 * p32 / q32).astype(np.float64)
    print("P (z^0 first):", [float(c) for c in p])
    print("Q (z^0 first):", [float(c) for c in q])
    print(f"max |error| exact {np.abs(exact - f).max():.3g}, float32 {np.abs(in_float - f).max():.3g}")


if __name__ == "__main__":
    main()
