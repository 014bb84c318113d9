/**
 * One ECharts chart: renders `option` into its element and re-renders when it changes; resizes
 * with the window. `@pick` gives the clicked data item (a bar, a point) to the parent.
 * Tests read the chart's option with echarts.getInstanceByDom(element).getOption().
 */
import * as echarts from 'echarts';
import { onBeforeUnmount, onMounted, ref, watch } from 'vue';

export default {
  name: 'EChart',
  props: { option: Object, height: { type: String, default: '320px' }, label: String },
  emits: ['pick'],
  setup(props, { emit }) {
    const el = ref(null);
    let chart;
    const resize = () => chart && chart.resize();
    const render = () => {
      if (!chart || !props.option) return;
      chart.setOption(props.option, { notMerge: true });
    };
    onMounted(() => {
      chart = echarts.init(el.value, null, { renderer: 'canvas' });
      chart.on('click', (params) => emit('pick', params));
      render();
      window.addEventListener('resize', resize);
    });
    onBeforeUnmount(() => {
      window.removeEventListener('resize', resize);
      chart && chart.dispose();
    });
    watch(() => props.option, render, { deep: true });
    return { el };
  },
  template: `<div ref="el" role="img" :aria-label="label" :style="{ width: '100%', height }"></div>`,
};
