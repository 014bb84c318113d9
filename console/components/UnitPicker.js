/**
 * Picks one unit (or several) by searching the unit tree by name or pinyin initials (server
 * side, /unit-search). Keyboard: type, arrows, Enter.
 */
import { ref } from 'vue';
import { searchUnits } from '../api/units.js';
import { t } from '../i18n.js';

export default {
  name: 'UnitPicker',
  props: { modelValue: [String, Array], multiple: Boolean, inputId: String, label: String },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const options = ref([]);
    const loading = ref(false);
    const remember = new Map();
    const search = async (q) => {
      if (!q) return;
      loading.value = true;
      try {
        const { items } = await searchUnits(q);
        for (const u of items) remember.set(u.id, u);
        // Keep the chosen ones listed so their names stay shown.
        const chosen = [].concat(props.modelValue || []).map((id) => remember.get(id)).filter(Boolean);
        options.value = [...chosen.filter((c) => !items.some((u) => u.id === c.id)), ...items];
      } catch {
        options.value = [];
      } finally {
        loading.value = false;
      }
    };
    const display = (u) => (u.path.length ? `${u.name}（${u.path.join(' / ')}）` : u.name);
    return { options, loading, search, display, t, emit };
  },
  template: `<el-select :model-value="modelValue" @update:model-value="emit('update:modelValue', $event)" :multiple="multiple"
      filterable remote clearable :remote-method="search" :loading="loading" :placeholder="t('intake.unitSearch')"
      :id="inputId" :aria-label="label" style="width:100%" default-first-option>
    <el-option v-for="u in options" :key="u.id" :value="u.id" :label="u.name">{{ display(u) }}</el-option>
  </el-select>`,
};
