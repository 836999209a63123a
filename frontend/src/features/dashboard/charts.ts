import {
  ArcElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js'

// Only what the dashboard draws: a line chart (daily trend) and a doughnut (error classes).
Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Filler, DoughnutController, ArcElement, Tooltip, Legend)
