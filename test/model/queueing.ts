// Closed forms from queueing theory, to check the model against.

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** Erlang C: probability an arrival waits in an M/M/c queue with offered load a = lambda/mu. */
export function erlangC(c: number, a: number): number {
  const rho = a / c;
  let sum = 0;
  for (let k = 0; k < c; k++) sum += a ** k / factorial(k);
  const top = (a ** c / factorial(c)) / (1 - rho);
  return top / (sum + top);
}

/** M/M/c response time: mean and survival function P(T > t). */
export function mmc(lambda: number, mu: number, c: number) {
  const C = erlangC(c, lambda / mu);
  const theta = c * mu - lambda;
  const mean = C / theta + 1 / mu;
  const survival = (t: number): number => {
    const service = Math.exp(-mu * t);
    const sum = Math.abs(theta - mu) < 1e-12 ? (1 + mu * t) * Math.exp(-mu * t) : (theta * Math.exp(-mu * t) - mu * Math.exp(-theta * t)) / (theta - mu);
    return (1 - C) * service + C * sum;
  };
  return { mean, quantile: (p: number) => invertSurvival(survival, 1 - p, 100 * mean) };
}

/** M/D/1 mean response time by Pollaczek-Khinchine. */
export function md1Mean(lambda: number, serviceS: number): number {
  const rho = lambda * serviceS;
  return serviceS + (rho * serviceS) / (2 * (1 - rho));
}

/** M/M/1 under processor sharing (or FIFO): mean response 1/(mu - lambda). */
export function mm1Mean(lambda: number, mu: number): number {
  return 1 / (mu - lambda);
}

function invertSurvival(survival: (t: number) => number, target: number, hi: number): number {
  let lo = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (survival(mid) > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
