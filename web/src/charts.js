// charts.js — ECharts with only the pieces the UI uses (pie, bar, heatmap, canvas), to keep the bundle small
import * as echarts from 'echarts/core'
import { PieChart, BarChart, HeatmapChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent, VisualMapPiecewiseComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([PieChart, BarChart, HeatmapChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, VisualMapPiecewiseComponent, CanvasRenderer])

export default echarts

// One palette for all charts: party red first, then calm companions.
export const PALETTE = ['#c0161d', '#e6a23c', '#409eff', '#67c23a', '#909399', '#b37feb', '#36cfc9', '#f56c6c']
