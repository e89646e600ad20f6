import Diagram
import Simulation
import Support

/// ```` ```sim replacement ````: the page-replacement (or TLB) grid of OSTEP's paging-policy.py.
struct ReplacementFigure: FigureKind {
    let name = "replacement"
    let version = 1
    let keys = ["capacity", "policy", "references", "seed", "bits"]

    func make(spec: inout YAMLFields, info: FigureInfo) -> FigureContent? {
        spec.requireMissing(["capacity", "policy", "references"])
        let capacity = spec.integer("capacity", in: 1...PageReplacement.maxCapacity)
        let policyName = spec.string("policy")
        let seed = spec.uint64("seed")
        let bits = spec.integer("bits", in: 1...ReplacementPolicy.maxClockBits)
        let references = spec.integerList(
            "references", in: 0...Int(Int32.max), maxCount: PageReplacement.maxReferences)
        if let policyName, !ReplacementPolicy.names.contains(policyName) {
            var message = "unknown policy '\(policyName)'"
            if let suggestion = closestMatch(to: policyName, in: ReplacementPolicy.names) {
                message += "; did you mean '\(suggestion)'?"
            } else {
                message += "; use one of \(ReplacementPolicy.names.joined(separator: ", "))"
            }
            spec.error(message, atKey: "policy")
        }
        if let policyName, ["rand", "clock"].contains(policyName), seed == nil {
            spec.error("policy '\(policyName)' draws pages at random: give it a 'seed'", atKey: "policy")
        }
        if spec.has("bits"), policyName != "clock" {
            spec.error("'bits' applies only to the clock policy", atKey: "bits")
        }
        guard let capacity, let policyName, let references, !spec.log.hasErrors else { return nil }
        guard !references.isEmpty else {
            spec.error("'references' needs at least one page", atKey: "references")
            return nil
        }
        let result: ReplacementResult
        do {
            let policy = try ReplacementPolicy(name: policyName, seed: seed ?? 0, clockBits: bits ?? 1)
            result = try PageReplacement.simulate(capacity: capacity, policy: policy, references: references)
        } catch {
            spec.error(error.message, at: spec.start)
            return nil
        }
        let policyText = Self.policyNames[policyName] ?? policyName
        let description =
            "Política \(policyText) com \(countText(capacity, "quadro", "quadros")) sobre "
            + "\(countText(references.count, "referência", "referências")): "
            + "\(countText(result.misses, "falta", "faltas")) e \(countText(result.hits, "acerto", "acertos"))."
        let columns = result.steps.map { step in
            GridLayout.Column(
                header: String(step.reference),
                cells: step.frames.map { page in
                    page.map {
                        GridLayout.Cell(
                            String($0), tone: $0 == step.reference ? (step.hit ? .positive : .negative) : .neutral)
                    }
                },
                status: GridLayout.Cell(step.hit ? "✓" : "✗", tone: step.hit ? .positive : .negative),
                footnote: step.evicted.map(String.init))
        }
        let grid = GridLayout(
            headerLabel: "Página", rowLabels: (1...capacity).map { "Quadro \($0)" }, statusLabel: "Acerto",
            footnoteLabel: "Sai", columns: columns, maxWidth: figureWidth)
        return FigureContent(
            svg: grid.render(title: info.title, description: description, idPrefix: info.elementID),
            description: description,
            table: DataTable(
                columns: ["Passo", "Página", "Resultado", "Sai", "Na memória (ordem da política)"],
                rows: result.steps.enumerated().map { index, step in
                    [
                        String(index + 1), String(step.reference), step.hit ? "acerto" : "falta",
                        step.evicted.map(String.init) ?? "—", step.contents.map(String.init).joined(separator: ", "),
                    ]
                },
                footer: [["Total", "", "\(result.misses) faltas, \(result.hits) acertos", "", ""]],
                numericColumns: [1]),
            json: .object([
                "steps": .array(
                    result.steps.map { step in
                        var members = [
                            JSONMember("ref", .integer(Int64(step.reference))), JSONMember("hit", .bool(step.hit)),
                        ]
                        if let evicted = step.evicted {
                            members.append(JSONMember("evicted", .integer(Int64(evicted))))
                        }
                        members.append(JSONMember("contents", .array(step.contents.map { .integer(Int64($0)) })))
                        return .object(members)
                    }),
                "hits": .integer(Int64(result.hits)), "misses": .integer(Int64(result.misses)),
            ]))
    }

    static let policyNames = [
        "fifo": "FIFO", "lru": "LRU", "mru": "MRU", "opt": "ótima (OPT)", "unopt": "pior possível (UNOPT)",
        "rand": "aleatória", "clock": "do relógio (CLOCK)",
    ]
}
