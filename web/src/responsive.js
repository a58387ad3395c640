// responsive.js — one shared flag for phone-sized screens (≤768px)
import { ref } from 'vue'

const query = window.matchMedia('(max-width: 768px)')

/** True while the viewport is phone-sized; updates live. */
export const isMobile = ref(query.matches)

query.addEventListener('change', (e) => {
  isMobile.value = e.matches
})
