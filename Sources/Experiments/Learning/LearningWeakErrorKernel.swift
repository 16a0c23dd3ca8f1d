import Ensembles
import FiniteSums
import Foundation
import Numerics
import Randomness

/// One η, one block of paths: SGD, SVAG at each level, and SME-1/SME-2 on a fine grid h = η/(2r)
/// and a coarse one 2h, all driven by the same normals.
///
/// Random numbers: SDE fine step n = k·2r + j of path p takes draws n M ..< (n+1) M of the
/// driving stream, one per sample; a coarse step sums a pair of fine ones (÷√2). SGD's batch at
/// iteration k is the top m of the sum of its 2r fine draws (a uniform m-subset, coupled to the
/// SDE: see `BlockEngine.sgdStep(_:eta:step:lanes:scores:)`); SVAG's first batch likewise from
/// its own sub-interval, its second from the sampling stream.
struct LearningWeakErrorKernel: Sendable {
    let problem: FiniteSumProblem<LearningModel>
    let x0: [Double]
    let eta: Double
    let steps: Int
    let substeps: Int
    let levels: [Int]
    let seed: UInt64
    let normals: NormalMethod

    static let quantities = ["sgd", "sme1", "sme2", "e1", "e2", "c1", "c2"]
    static func name(_ observable: String, _ quantity: String) -> String { "\(observable)/\(quantity)" }
    static func svagName(_ observable: String, _ l: Int, gap: Bool) -> String { "\(observable)/svag\(l)" + (gap ? "-gap" : "") }

    func emptyTally(_ start: (train: Double, test: Double, distance: Double)) -> Tally {
        var observables: [(String, Double)] = []
        for (o, level) in zip(LearningWeakErrorConfiguration.observables, [start.train, start.test.isNaN ? 0 : start.test, start.distance]) {
            for q in Self.quantities { observables.append((Self.name(o, q), ["sgd", "sme1", "sme2"].contains(q) ? level : 0)) }
            for l in levels {
                observables.append((Self.svagName(o, l, gap: false), level))
                observables.append((Self.svagName(o, l, gap: true), 0))
            }
        }
        return Tally(observables: observables)
    }

    func run(_ range: Range<Int>, template: Tally) -> Tally {
        let lanes = range.count, ld = GaussianStream.paddedLanes(lanes), M = problem.count
        let engine = BlockEngine(problem: problem, ld: ld, maximumBatch: problem.batchSchedule.largestBatch)
        let sgd = ParameterBlock(initial: x0, ld: ld)
        let fine1 = ParameterBlock(initial: x0, ld: ld), fine2 = ParameterBlock(initial: x0, ld: ld)
        let coarse1 = ParameterBlock(initial: x0, ld: ld), coarse2 = ParameterBlock(initial: x0, ld: ld)
        let svag = levels.map { _ in ParameterBlock(initial: x0, ld: ld) }
        let buffer = { UnsafeMutablePointer<Double>.allocate(capacity: M * ld) }
        let zf = buffer(), zc = buffer(), sum = buffer()
        let svagSums = levels.map { _ in buffer() }
        defer { for p in [zf, zc, sum] + svagSums { p.deallocate() } }
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let fine = 2 * substeps, h = eta / Double(fine), pairScale = 0.5.squareRoot()
        for k in 0..<steps {
            sum.update(repeating: 0, count: M * ld)
            for s in svagSums { s.update(repeating: 0, count: M * ld) }
            for j in 0..<fine {
                driving.fill(firstPath: range.lowerBound, lanes: lanes, firstDraw: (k * fine + j) * M, draws: M, stride: ld, into: zf)
                engine.diffusionStep(fine1, order: 1, eta: eta, dt: h, sgdStep: k, normals: zf)
                engine.diffusionStep(fine2, order: 2, eta: eta, dt: h, sgdStep: k, normals: zf)
                for e in 0..<(M * ld) { sum[e] += zf[e] }
                if j % 2 == 0 {
                    zc.update(from: zf, count: M * ld)
                } else {
                    for e in 0..<(M * ld) { zc[e] = (zc[e] + zf[e]) * pairScale }
                    engine.diffusionStep(coarse1, order: 1, eta: eta, dt: 2 * h, sgdStep: k, normals: zc)
                    engine.diffusionStep(coarse2, order: 2, eta: eta, dt: 2 * h, sgdStep: k, normals: zc)
                }
                for (index, l) in levels.enumerated() {
                    let span = fine / l
                    for e in 0..<(M * ld) { svagSums[index][e] += zf[e] }
                    guard (j + 1) % span == 0 else { continue }
                    engine.svagStep(svag[index], eta: eta, l: l, step: k * l + (j + 1) / span - 1, firstPath: range.lowerBound, lanes: lanes,
                                    seed: seed, scores: svagSums[index])
                    svagSums[index].update(repeating: 0, count: M * ld)
                }
            }
            engine.sgdStep(sgd, eta: eta, step: k, lanes: lanes, scores: sum)
        }
        return record(lanes: lanes, template: template, engine: engine, sgd: sgd, fine1, fine2, coarse1, coarse2, svag: svag)
    }

    /// One sample per path of every quantity; a path whose SGD or any SDE/SVAG state is not
    /// finite is counted and left out (its η is then excluded from fits and the run fails).
    func record(lanes: Int, template: Tally, engine: BlockEngine<LearningModel>, sgd: ParameterBlock, _ f1: ParameterBlock, _ f2: ParameterBlock,
                _ c1: ParameterBlock, _ c2: ParameterBlock, svag: [ParameterBlock]) -> Tally {
        var tally = template
        let observe = { (x: ParameterBlock) in engine.observe(x, from: self.x0, lanes: lanes) }
        let s = observe(sgd), a1 = observe(f1), a2 = observe(f2), b1 = observe(c1), b2 = observe(c2)
        let v = svag.map(observe)
        var divergedSGD = 0, divergedSDE = 0
        for lane in 0..<lanes {
            guard sgd.laneIsFinite(lane) else { divergedSGD += 1; continue }
            guard [f1, f2, c1, c2].allSatisfy({ $0.laneIsFinite(lane) }) && svag.allSatisfy({ $0.laneIsFinite(lane) }) else {
                divergedSDE += 1
                continue
            }
            let pick: [((train: Double, test: Double, distance: Double)) -> Double] = [{ $0.train }, { $0.test }, { $0.distance }]
            for (o, value) in zip(LearningWeakErrorConfiguration.observables, pick) {
                if o == "test-loss" && problem.test == nil { continue }
                let x = value(s[lane]), e1 = 2 * value(a1[lane]) - value(b1[lane]), e2 = 2 * value(a2[lane]) - value(b2[lane])
                let values = [x, e1, e2, x - e1, x - e2, value(b1[lane]) - value(a1[lane]), value(b2[lane]) - value(a2[lane])]
                for (q, y) in zip(Self.quantities, values) { tally.add(tally.index(of: Self.name(o, q))!, y) }
                for (index, l) in levels.enumerated() {
                    let y = value(v[index][lane])
                    tally.add(tally.index(of: Self.svagName(o, l, gap: false))!, y)
                    tally.add(tally.index(of: Self.svagName(o, l, gap: true))!, y - e1)
                }
            }
        }
        if divergedSGD > 0 { tally.count(Divergence.sgd, by: divergedSGD) }
        if divergedSDE > 0 { tally.count(Divergence.sde, by: divergedSDE) }
        return tally
    }
}
