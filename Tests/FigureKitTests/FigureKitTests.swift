import Testing

@testable import BlockRunner
@testable import FigureKit

/// The API blocks use, without compiling a block: what each constructor draws, describes and
/// tabulates, and what the runner prints.
@Suite struct FigureKitTests {
    @Test func timelineKeepsRowOrderAndDescribesActiveTime() {
        var timeline = Timeline(unit: "ms")
        timeline.add("T1", from: 0, to: 5, label: "GIL")
        timeline.wait("T2", from: 0, to: 5)
        timeline.add("T2", from: 5, to: 7.5)
        timeline.mark("T2", at: 0)
        timeline.event("troca", at: 5)
        #expect(timeline.rows == ["T1", "T2"])
        #expect(timeline.activeTime(of: "T2") == 2.5)
        let figure = Figure.timeline(timeline)
        #expect(
            figure.description
                == "Linha do tempo de 2 linhas entre 0 e 7,5 ms: T1 ativo por 5 ms e T2 ativo por 2,5 ms.")
        #expect(figure.table.columns == ["Linha", "Estado", "Início", "Fim", "Duração"])
        #expect(
            figure.table.rows == [
                ["T1", "GIL", "0", "5", "5"], ["T2", "esperando", "0", "5", "5"], ["T2", "ativo", "5", "7,5", "2,5"],
            ])
        #expect(figure.table.numericColumns == [2, 3, 4])
        let svg = figure.svg(id: "gil", title: "O GIL")
        #expect(svg.contains("<title id=\"fig-gil-title\">O GIL</title>"))
        #expect(svg.contains(">troca</text>") && svg.contains(">esperando</text>"))
        #expect(figure.canvas.width == Figure.width)
    }

    @Test func scheduleUsesTheSimulationResult() throws {
        let schedule = try simulateScheduler(
            jobs: [SchedulerJob(name: "A", length: 3), SchedulerJob(name: "B", length: 1)], policy: .fifo)
        let figure = Figure.schedule(schedule, unit: "ms")
        #expect(
            figure.description
                == "Escalonamento de 2 processos numa CPU: A termina em 3 e B termina em 4. Médias: resposta 1,5, "
                + "retorno 3,5 e espera 1,5 ms.")
        #expect(figure.table.rows[1] == ["B", "0", "1", "3", "4", "3", "4", "3"])
        #expect(figure.table.footer == [["Média", "", "", "", "", "1,5", "3,5", "1,5"]])
    }

    @Test func barsGridAndLanesTabulateTheirData() {
        let bars = Figure.bars([("openat", 31), ("read", 24.5)], axisLabel: "chamadas", itemLabel: "Chamada")
        #expect(bars.table.columns == ["Chamada", "Chamadas"])
        #expect(bars.table.rows == [["openat", "31"], ["read", "24,5"]])
        #expect(bars.table.footer == [["Total", "55,5"]])
        #expect(bars.description == "Gráfico de barras (chamadas): openat 31 e read 24,5.")

        let grid = Figure.grid(
            rowLabels: ["Quadro 1", "Quadro 2"],
            columns: [
                GridLayout.Column(header: "1", cells: [GridLayout.Cell("1")], status: GridLayout.Cell("✗")),
                GridLayout.Column(header: "2", cells: [GridLayout.Cell("1"), GridLayout.Cell("2")]),
            ], statusLabel: "Acerto")
        #expect(grid.table.columns == ["Passo", "Quadro 1", "Quadro 2", "Acerto"])
        #expect(grid.table.rows == [["1", "1", "—", "✗"], ["2", "1", "2", ""]])

        let lanes = Figure.lanes(
            ["kernel", "usuário"],
            rows: [
                LanesLayout.Row(
                    title: "read()",
                    stages: [.init(label: "syscall", lane: 0, value: 100), .init(label: "cópia", lane: 1, value: 50)])
            ], axisLabel: "ns")
        #expect(lanes.table.rows == [["read()", "syscall", "kernel", "100"], ["read()", "cópia", "usuário", "50"]])
        #expect(lanes.description == "Etapas em faixas (kernel e usuário), em ns: read() soma 150.")
    }

    @Test func modifiersReplaceDescriptionAndTable() {
        let figure = Figure.svg(
            width: 100, height: 40, description: "Um quadrado.",
            table: Figure.Table(columns: ["Lado"], rows: [["40"]])
        ) { canvas in
            canvas.rect(x: 0, y: 0, width: 40, height: 40, fill: .series(0))
        }
        .described("Um quadrado de 40.")
        .table(["Forma", "Lado", "Área"], [["quadrado", "40 px", "1.600"]], footer: [["Total", "", "1.600"]])
        #expect(figure.description == "Um quadrado de 40.")
        #expect(figure.table.numericColumns == [1, 2])
        #expect(figure.svg(id: "q", title: "Q").contains("<rect x=\"0\" y=\"0\" width=\"40\" height=\"40\""))
    }

    @Test func decimalWritesBrazilianNumbers() {
        #expect(decimal(2.5) == "2,5")
        #expect(decimal(1024) == "1.024")
        #expect(decimal(-1_234_567.891) == "-1.234.567,89")
        #expect(decimal(0.004) == "0")
        #expect(decimal(3.14159, places: 3) == "3,142")
        #expect(decimal(.infinity) == "—")
    }

    @Test func runnerReportsFiguresErrorsAndUnusableFigures() {
        struct Missing: Error, CustomStringConvertible {
            var description: String { "sem dados" }
        }
        let good = BlockEntry(id: "a", title: "A \"aspas\"", seed: 3) { random in
            #expect(random == SeededRandom(seed: 3))
            return .bars([("x", 1)], axisLabel: "v")
        }
        let json = BlockRunner.run(good)
        #expect(json.hasPrefix("\"figure\":{\"id\":\"a\",\"svg\":\"<svg "))
        #expect(json.contains("A &quot;aspas&quot;</title>"))
        #expect(
            json.hasSuffix(
                "\"table\":{\"columns\":[\"Item\",\"V\"],\"rows\":[[\"x\",\"1\"]],\"footer\":[[\"Total\",\"1\"]],\"numeric\":[1]}}"
            ))

        let throwing = BlockEntry(id: "b", title: "B", seed: 1) { _ in throw Missing() }
        #expect(BlockRunner.run(throwing) == "\"thrown\":\"sem dados\"")

        let ragged = BlockEntry(id: "c", title: "C", seed: 1) { _ in
            Figure.bars([("x", 1)], axisLabel: "v").table(["a", "b"], [["1"]])
        }
        #expect(
            BlockRunner.run(ragged)
                == "\"invalid\":\"row 1 of the data table has 1 cells, but the table has 2 columns\"")
        #expect(BlockRunner.jsonString("linha\n\u{1}\"\\") == "\"linha\\n\\u0001\\\"\\\\\"")
    }
}
