// charts.js — ECharts with only the pieces the UI uses (pie, bar, canvas), to keep the bundle small
import * as echarts from 'echarts/core'
import { PieChart, BarChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([PieChart, BarChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent, CanvasRenderer])

export default echarts

// One palette for all charts: party red first, then calm companions.
export const PALETTE = ['#c0161d', '#e6a23c', '#409eff', '#67c23a', '#909399', '#b37feb', '#36cfc9', '#f56c6c']
