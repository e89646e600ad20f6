import Diagram
import Testing

@Suite struct SVGTests {
    @Test(arguments: [
        (0.0, "0"), (1.0, "1"), (1.5, "1.5"), (1.25, "1.25"), (1.0051, "1.01"), (-0.001, "0"), (-2.5, "-2.5"),
        (1234.04, "1234.04"), (0.1, "0.1"), (0.09, "0.09"), (1e-9, "0"), (12.3456, "12.35"),
    ])
    func numbersAreShortAndStable(value: Double, expected: String) {
        #expect(svgNumber(value) == expected)
    }

    @Test func canvasWritesAccessibleThemedSVG() {
        var canvas = SVGCanvas(width: 200, height: 50.5, idPrefix: "fig-x")
        canvas.rect(x: 1, y: 2, width: 30, height: 10, fill: .series(9), tooltip: "A <1>")
        canvas.text("Tempo & \"espera\"", x: 10, y: 40, anchor: .middle)
        let svg = canvas.render(title: "Título", description: "Descrição")
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 50.5\""))
        #expect(svg.contains("role=\"img\" aria-labelledby=\"fig-x-title fig-x-desc\""))
        #expect(svg.contains("<title id=\"fig-x-title\">Título</title>"))
        #expect(svg.contains("<desc id=\"fig-x-desc\">Descrição</desc>"))
        #expect(svg.contains("style=\"fill: var(--fig-c2, #ee6677)\"><title>A &lt;1&gt;</title></rect>"))
        #expect(svg.contains("text-anchor=\"middle\""))
        #expect(svg.contains(">Tempo &amp; &quot;espera&quot;</text>"))
        #expect(svg.hasSuffix("</svg>"))
    }

    @Test func textWidthGrowsWithLength() {
        #expect(TextMetrics.width("MMMM", size: 10) > TextMetrics.width("iiii", size: 10))
        #expect(TextMetrics.width("abc", size: 20) == 2 * TextMetrics.width("abc", size: 10))
    }
}
