//! The fixed job-category taxonomy. Codes are stable API values; names are for display.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Category {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
}

const fn c(code: &'static str, name_zh: &'static str, name_en: &'static str) -> Category {
    Category {
        code,
        name_zh,
        name_en,
    }
}

pub const CATEGORIES: &[Category] = &[
    c("retail_sales", "零售导购", "Retail sales"),
    c("cashier", "收银", "Cashier"),
    c("food_service", "餐饮服务", "Food service"),
    c("kitchen", "后厨", "Kitchen"),
    c("coffee_tea", "咖啡茶饮", "Coffee and tea"),
    c("delivery", "外卖配送", "Delivery rider"),
    c("courier", "快递物流", "Courier and logistics"),
    c("warehouse", "仓储理货", "Warehouse"),
    c("cleaning", "保洁", "Cleaning"),
    c("security", "安保", "Security"),
    c("customer_service", "客服", "Customer service"),
    c("beauty", "美容美发", "Beauty and hair"),
    c("fitness", "健身教练", "Fitness"),
    c("education", "教育培训", "Education and tutoring"),
    c("childcare", "育婴托育", "Childcare"),
    c("office_admin", "行政文员", "Office administration"),
    c("finance", "财务会计", "Finance and accounting"),
    c("it", "技术开发", "IT and software"),
    c("design", "设计", "Design"),
    c("marketing", "市场营销", "Marketing"),
    c("promotion", "活动促销", "Events and promotion"),
    c("hospitality", "酒店前台", "Hotel and front desk"),
    c("maintenance", "维修", "Maintenance and repair"),
    c("driver", "司机", "Driver"),
    c("other", "其他", "Other"),
];

pub fn is_known(code: &str) -> bool {
    CATEGORIES.iter().any(|c| c.code == code)
}

pub fn name_zh(code: &str) -> &'static str {
    CATEGORIES
        .iter()
        .find(|c| c.code == code)
        .map(|c| c.name_zh)
        .unwrap_or("其他")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case() {
        let mut codes: Vec<&str> = CATEGORIES.iter().map(|c| c.code).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'))
        );
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), CATEGORIES.len());
        assert!(is_known("cashier") && !is_known("astronaut"));
    }
}
