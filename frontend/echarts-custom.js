// The ECharts we draw, and nothing else: bar, line and pie charts and the county map, with the components the
// dashboards use. Built into static/vendor/echarts.custom.min.js by scripts/vendor-static.sh (esbuild), instead
// of the full 1.1 MB echarts.min.js. A new chart type or component must be added here first.
import * as echarts from "echarts/core";
import { BarChart, LineChart, MapChart, PieChart } from "echarts/charts";
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  PieChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

// The map file (vendor/chizhou-map.js) and our scripts use the global, as with the full build.
window.echarts = echarts;
