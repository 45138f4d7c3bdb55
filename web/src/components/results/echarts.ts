// The parts of ECharts the app draws with, registered once. SVG rendering keeps charts crisp and makes the
// drawn marks part of the page (its text labels are real text).
import { use } from 'echarts/core'
import { SVGRenderer } from 'echarts/renderers'
import { BarChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts'
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'

use([SVGRenderer, LineChart, BarChart, ScatterChart, GraphChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent])

export { default as VChart } from 'vue-echarts'
