import Dynamics
import Ensembles
import Foundation
import Numerics
import Problems
import Randomness

/// Adaptive multilevel splitting for the probability that a path started on Σ reaches B (exit
/// from D) before returning to A, and from it the mean exit time from the minimum.
///
/// Algorithm: the generalised AMS of Bréhier, Gazeau, Goudenège, Lelièvre & Rousset, "Unbiasedness
/// of some generalized adaptive multilevel splitting algorithms", Ann. Appl. Probab. 26 (2016),
/// with k = 1 and ties handled as that paper requires (every replica at the current level is
/// killed): n replicas run from Σ until A or B; repeatedly, the replicas whose maximum of the
/// reaction coordinate ξ is the lowest are killed and replaced by copies of survivors branched at
/// the first time those exceed that level, with fresh noise; p̂ = Π(1 - K_q/n) × (fraction in B).
/// p̂ is an unbiased estimator of the probability *for the time-discretised process*.
///
/// Mean exit time (renewal argument, Cérou, Guyader, Lelièvre & Pommier, J. Chem. Phys. 134,
/// 2011): a path alternates A → Σ → A cycles until one goes Σ → B, so
///
///     E T = (1/p) E τ_{A→Σ} + ((1 - p)/p) E τ_{Σ→A} + E τ_{Σ→B},
///
/// with the cycle times and the entrance points on Σ from direct simulation of many (short)
/// cycles, and p from independent AMS runs.
public struct SplittingEstimator<P: DiffusionProcess, S: SDEStepper, D: Domain>: Sendable
where P.State.Scalar == Double, D.State == P.State {
    public typealias State = P.State
    public let process: P
    public let stepper: S
    public let step: Double
    public let domain: D
    public let start: State
    /// Reaction coordinate ξ: larger means closer to the exit.
    public let coordinate: @Sendable (State) -> Double
    /// A = {ξ <= levelA}, Σ = {ξ = levelSigma}.
    public let levelA: Double
    public let levelSigma: Double
    public let seed: UInt64

    public struct Estimate: Sendable, Codable {
        /// Mean of p̂ over runs and its standard error.
        public var probability: Double
        public var probabilityStandardError: Double
        public var runs: Int
        public var replicas: Int
        public var upTime: Numerics.Estimate
        public var downTime: Numerics.Estimate
        public var successTime: Double
        public var meanExitTime: Double
        public var meanExitTimeStandardError: Double
        /// SDE steps simulated, all runs and cycles.
        public var steps: Int

        @inlinable
        public init(probability: Double, probabilityStandardError: Double, runs: Int, replicas: Int, upTime: Numerics.Estimate,
                    downTime: Numerics.Estimate, successTime: Double, meanExitTime: Double, meanExitTimeStandardError: Double, steps: Int) {
            self.probability = probability
            self.probabilityStandardError = probabilityStandardError
            self.runs = runs
            self.replicas = replicas
            self.upTime = upTime
            self.downTime = downTime
            self.successTime = successTime
            self.meanExitTime = meanExitTime
            self.meanExitTimeStandardError = meanExitTimeStandardError
            self.steps = steps
        }
    }

    public init(process: P, stepper: S, step: Double, domain: D, start: State, coordinate: @escaping @Sendable (State) -> Double,
                levelA: Double, levelSigma: Double, seed: UInt64) {
        self.process = process
        self.stepper = stepper
        self.step = step
        self.domain = domain
        self.start = start
        self.coordinate = coordinate
        self.levelA = levelA
        self.levelSigma = levelSigma
        self.seed = seed
    }

    @usableFromInline struct Record {
        @usableFromInline var level: Double
        @usableFromInline var state: State
        @usableFromInline var steps: Int
        @usableFromInline init(level: Double, state: State, steps: Int) { self.level = level; self.state = state; self.steps = steps }
    }

    @usableFromInline struct Replica {
        @usableFromInline var records: [Record]
        @usableFromInline var maxLevel: Double { records.last?.level ?? -.infinity }
        @usableFromInline var reachedB: Bool
        @usableFromInline var steps: Int
        @usableFromInline init(records: [Record], reachedB: Bool, steps: Int) { self.records = records; self.reachedB = reachedB; self.steps = steps }
    }

    @usableFromInline enum Stop { case returnedToA, reachedB, exhausted }

    /// Advances from `x` until A, B or `limit` steps; appends a record at every new maximum of ξ.
    @inlinable
    func excursion(from x: State, level: Double, startSteps: Int, generator: inout PhiloxGenerator, limit: Int,
                   records: inout [Record], workDone: inout Int) -> (Stop, Int) {
        var x = x, maximum = level, steps = startSteps
        let d = State.dimension
        var spare: Double?
        while steps - startSteps < limit {
            var z = State.zero
            for c in 0..<d {
                if let s = spare {
                    z.setComponent(c, to: s)
                    spare = nil
                } else {
                    let (a, b) = generator.nextGaussianPair()
                    z.setComponent(c, to: a)
                    spare = b
                }
            }
            let bits = generator.next()
            let previous = x
            x = stepper.step(process, from: x, time: Double(steps) * step, dt: step, dW: step.squareRoot() * z, auxiliaryBits: bits)
            steps += 1
            workDone += 1
            if !domain.contains(x) || !x.isFinite || crossedBetween(previous, x, generator: &generator) {
                // B is level +∞: a survivor that reached B can be branched at any level, from
                // its exit (its recorded maxima before the exit may all lie below the level)
                records.append(Record(level: .infinity, state: x, steps: steps))
                return (.reachedB, steps)
            }
            let xi = coordinate(x)
            if xi <= levelA { return (.returnedToA, steps) }
            if xi > maximum {
                maximum = xi
                records.append(Record(level: xi, state: x, steps: steps))
            }
        }
        return (.exhausted, steps)
    }

    /// `BrownianBridge`'s test, as `ExitEnsemble` runs it: did the path leave D between two grid points
    /// that are both inside? Part of the simulated Markov chain, so AMS stays unbiased for it.
    @inlinable
    func crossedBetween(_ x: State, _ y: State, generator: inout PhiloxGenerator) -> Bool {
        let d0 = -domain.signedDistance(x), d1 = -domain.signedDistance(y)
        let n = domain.outwardNormal(x)
        let s = process.diffusion(at: x, time: 0)
        var variance = 0.0
        for j in 0..<State.dimension { let c = s[column: j].dot(n); variance += c * c }
        guard variance > 0 else { return false }
        return generator.nextUnit() < BrownianBridge.crossingProbability(inside: d0, d1, normalVariance: variance, step: step)
    }

    /// Direct simulation of `cycles` A → Σ → (A or B) cycles from `start`: entrance states on
    /// Σ and the cycle times.
    @inlinable
    func cycles(_ count: Int, stream: UInt32, workDone: inout Int) -> (entrances: [State], up: MomentAccumulator, down: MomentAccumulator, directSuccesses: Int) {
        var generator = PhiloxGenerator(seed: seed, stream: .splitting, path: Int(stream), offset: 0)
        var up = MomentAccumulator(), down = MomentAccumulator()
        var entrances: [State] = []
        var successes = 0
        var x = start
        var t = 0
        var spare: Double?
        let d = State.dimension
        func next() -> State {
            var z = State.zero
            for c in 0..<d {
                if let s = spare { z.setComponent(c, to: s); spare = nil } else {
                    let (a, b) = generator.nextGaussianPair()
                    z.setComponent(c, to: a)
                    spare = b
                }
            }
            let bits = generator.next()
            t += 1
            workDone += 1
            return stepper.step(process, from: x, time: 0, dt: step, dW: step.squareRoot() * z, auxiliaryBits: bits)
        }
        while entrances.count < count {
            // up: until ξ >= Σ
            var t0 = t
            while coordinate(x) < levelSigma { x = next() }
            up.add(Double(t - t0) * step)
            entrances.append(x)
            // down: until A (or B)
            t0 = t
            var exited = false
            while coordinate(x) > levelA {
                let previous = x
                x = next()
                if !domain.contains(x) || crossedBetween(previous, x, generator: &generator) { exited = true; break }
            }
            if exited {
                successes += 1
                x = start
                continue
            }
            down.add(Double(t - t0) * step)
        }
        return (entrances, up, down, successes)
    }

    /// One AMS run with n replicas from the given entrance states; returns p̂ and the mean time
    /// from Σ to B of the final replicas that reached B.
    @inlinable
    func run(index: Int, replicas n: Int, entrances: [State], maxSegment: Int, workDone: inout Int) -> (Double, Double) {
        var generator = PhiloxGenerator(seed: seed, stream: .splitting, path: 1 + index, offset: 0)
        var population: [Replica] = []
        for i in 0..<n {
            let x0 = entrances[(i + index * n) % entrances.count]
            var records = [Record(level: coordinate(x0), state: x0, steps: 0)]
            let (stop, steps) = excursion(from: x0, level: coordinate(x0), startSteps: 0, generator: &generator, limit: maxSegment,
                                          records: &records, workDone: &workDone)
            population.append(Replica(records: records, reachedB: stop == .reachedB, steps: steps))
        }
        var logWeight = 0.0
        for _ in 0..<(200 * n) {
            let levels = population.map { $0.reachedB ? Double.infinity : $0.maxLevel }
            guard let z = levels.min(), z < .infinity else { break }
            let killed = levels.indices.filter { levels[$0] <= z }
            let survivors = levels.indices.filter { levels[$0] > z }
            guard !survivors.isEmpty else { return (0, 0) }
            logWeight += log1p(-Double(killed.count) / Double(n))
            for i in killed {
                let j = survivors[generator.nextInt(below: survivors.count)]
                let parent = population[j]
                guard let branch = parent.records.firstIndex(where: { $0.level > z }) else { continue }
                var records = Array(parent.records[...branch])
                let from = records[branch]
                let (stop, steps) = excursion(from: from.state, level: from.level, startSteps: from.steps, generator: &generator,
                                              limit: maxSegment, records: &records, workDone: &workDone)
                population[i] = Replica(records: records, reachedB: stop == .reachedB, steps: steps)
            }
        }
        let inB = population.filter(\.reachedB)
        let successTime = inB.isEmpty ? 0 : inB.reduce(0.0) { $0 + Double($1.steps) } / Double(inB.count) * step
        return (exp(logWeight) * Double(inB.count) / Double(n), successTime)
    }
}
