#include <iostream>
#include <string>
#include <vector>
using namespace std;
int main() {
    string s;
    cin >> s;
    vector<char> st;
    bool ok = true;
    for (char c : s) {
        if (c == '(' || c == '[' || c == '{') {
            st.push_back(c);
        } else {
            char want = c == ')' ? '(' : (c == ']' ? '[' : '{');
            if (st.empty() || st.back() != want) {
                ok = false;
                break;
            }
            st.pop_back();
        }
    }
    if (!st.empty()) ok = false;
    cout << (ok ? "Yes" : "No") << "\n";
    return 0;
}
